import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ObjectExistsError, ObjectNotFoundError } from "./errors.ts";
import type { ObjectInfo, ObjectStore, PutOptions } from "./port.ts";

/** Temp files of in-flight puts start with this; `list` never shows them (a reader never sees half a file). */
export const TEMP_PREFIX = ".tmp-";

/** Throws on a key that could escape its bucket folder or that S3 and a folder would treat differently. */
export function checkKey(bucket: string, key: string): void {
  const bad = (what: string, v: string) => new Error(`invalid ${what} ${JSON.stringify(v)}`);
  if (!/^[a-z0-9_][a-z0-9._-]*$/.test(bucket)) throw bad("bucket", bucket);
  if (key === "" || key.startsWith("/") || key.includes("\\") || key.includes("\0")) throw bad("key", key);
  for (const seg of key.split("/")) {
    if (seg === "." || seg === ".." || seg.startsWith(TEMP_PREFIX)) throw bad("key", key);
    // An empty segment is only allowed at the end ("folder" marker keys like `a/b/`) .
  }
  if (key.includes("//")) throw bad("key", key);
}

const isCode = (e: unknown, code: string) => (e as NodeJS.ErrnoException | undefined)?.code === code;

/** The object store as a local folder: objects at `<root>/<bucket>/<key>`. Puts write a temp file in the
 * destination folder and rename it into place, so readers see the whole object or none of it. */
export class LocalObjectStore implements ObjectStore {
  readonly kind = "local" as const;

  constructor(readonly root: string) {}

  localPath(bucket: string, key: string): string {
    checkKey(bucket, key);
    return path.join(this.root, bucket, ...key.split("/"));
  }

  async put(
    bucket: string,
    key: string,
    body: Uint8Array | string | AsyncIterable<Uint8Array>,
    options: PutOptions = {},
  ): Promise<void> {
    if (key.endsWith("/")) throw new Error(`invalid key ${JSON.stringify(key)}: ends with /`);
    const file = this.localPath(bucket, key);
    const dir = path.dirname(file);
    await mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `${TEMP_PREFIX}${path.basename(file)}.${randomBytes(6).toString("hex")}`);
    try {
      if (typeof body === "string" || body instanceof Uint8Array) await writeFile(tmp, body);
      else await pipeline(Readable.from(body), createWriteStream(tmp));
      if (options.ifAbsent) {
        // link(2) fails with EEXIST atomically: the create-if-absent primitive of a POSIX folder.
        try {
          await link(tmp, file);
        } catch (e) {
          if (isCode(e, "EEXIST")) throw new ObjectExistsError(bucket, key);
          throw e;
        }
      } else {
        await rename(tmp, file);
      }
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  async get(bucket: string, key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.localPath(bucket, key)));
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "EISDIR")) throw new ObjectNotFoundError(bucket, key);
      throw e;
    }
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await stat(this.localPath(bucket, key));
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : undefined;
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return undefined;
      throw e;
    }
  }

  async *list(bucket: string, prefix = ""): AsyncIterable<ObjectInfo> {
    checkKey(bucket, "x");
    const base = path.join(this.root, bucket);
    // Walk only the deepest folder the prefix names, then filter and sort by key as S3 does.
    const dirPart = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const found: ObjectInfo[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(path.join(base, rel), { withFileTypes: true });
      } catch (e) {
        if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return;
        throw e;
      }
      for (const d of entries) {
        if (d.name.startsWith(TEMP_PREFIX)) continue;
        const key = rel ? `${rel}/${d.name}` : d.name;
        if (d.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(key);
        } else if (d.isFile() && key.startsWith(prefix)) {
          try {
            const s = await stat(path.join(base, key));
            found.push({ key, size: s.size, lastModified: s.mtime });
          } catch (e) {
            if (!isCode(e, "ENOENT")) throw e; // deleted while listing
          }
        }
      }
    };
    await walk(dirPart);
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    yield* found;
  }

  async sweepIncomplete(bucket: string, prefix: string, before: Date): Promise<number> {
    checkKey(bucket, "x");
    const base = path.join(this.root, bucket);
    const dirPart = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    let removed = 0;
    const walk = async (rel: string): Promise<void> => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(path.join(base, rel), { withFileTypes: true });
      } catch (e) {
        if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return;
        throw e;
      }
      for (const d of entries) {
        const key = rel ? `${rel}/${d.name}` : d.name;
        if (d.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(key);
        } else if (
          d.name.startsWith(TEMP_PREFIX) &&
          key.startsWith(prefix.slice(0, prefix.lastIndexOf("/") + 1))
        ) {
          const file = path.join(base, key);
          const s = await stat(file).catch(() => undefined);
          if (s && s.mtime < before) {
            await unlink(file).catch(() => {});
            removed++;
          }
        }
      }
    };
    await walk(dirPart);
    return removed;
  }

  async delete(bucket: string, key: string): Promise<void> {
    try {
      await unlink(this.localPath(bucket, key));
    } catch (e) {
      if (!isCode(e, "ENOENT")) throw e;
    }
  }
}
