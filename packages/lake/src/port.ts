import type { LakeZone } from "@hotels/schema";

/** Options of `ObjectStore.put`. */
export interface PutOptions {
  /** Create only if no object has the key (S3 `If-None-Match: *`); otherwise the put fails with
   * `ObjectExistsError`. This is the compare-and-set every commit (snapshots, locks) relies on.
   * Default false (overwrite). */
  readonly ifAbsent?: boolean;
}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

/** The object store port (S3). Keys are `/`-separated; buckets are one per lake zone (see `LakeLayout`).
 * `put` is atomic: a reader sees the whole object or none of it. */
export interface ObjectStore {
  readonly kind: "local" | "s3";
  put(
    bucket: string,
    key: string,
    body: Uint8Array | string | AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<void>;
  /** Throws `ObjectNotFoundError` when the object does not exist. */
  get(bucket: string, key: string): Promise<Uint8Array>;
  /** Undefined when the object does not exist. */
  head(bucket: string, key: string): Promise<ObjectInfo | undefined>;
  /** Objects whose key starts with `prefix`, in key order (as S3 lists them). */
  list(bucket: string, prefix?: string): AsyncIterable<ObjectInfo>;
  /** Deleting a missing object is not an error (as on S3). */
  delete(bucket: string, key: string): Promise<void>;
  /** Removes the remains of puts that never finished (a killed writer's temp files locally, incomplete
   * multipart uploads on S3) under `prefix` that started before `before`. Returns how many. */
  sweepIncomplete?(bucket: string, prefix: string, before: Date): Promise<number>;
  /** A local filesystem path for the object when the store is a local folder (DuckDB reads and writes
   * there directly); undefined on S3. */
  localPath?(bucket: string, key: string): string;
}

/** Maps lake zones to buckets: locally the zone name, on AWS `<prefix>-<env>-<zone>`. */
export interface LakeLayout {
  bucket(zone: LakeZone): string;
  /** `s3://bucket/` or `file:///…/bucket/` URI of a zone, for catalog locations. */
  uri(zone: LakeZone, key?: string): string;
}
