/** `get` of a key that does not exist. */
export class ObjectNotFoundError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`object not found: ${bucket}/${key}`);
    this.name = "ObjectNotFoundError";
  }
}

/** `put(..., { ifAbsent: true })` of a key that already exists. */
export class ObjectExistsError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`object already exists: ${bucket}/${key}`);
    this.name = "ObjectExistsError";
  }
}

/** A snapshot commit lost the race for its version (another writer committed first). */
export class ConcurrentCommitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConcurrentCommitError";
  }
}
