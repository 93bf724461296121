import { SYMLINK_MANIFEST_FOLDER } from "@hotels/schema";
import { ObjectNotFoundError } from "./errors.ts";
import type { ObjectStore } from "./port.ts";

/** `<table>/_symlink_format_manifest/`: where a table's symlink manifests live (its catalog location). Under
 * the data folder, as Delta Lake puts them, but never a data file: vacuum leaves it alone. */
export const manifestPrefix = (table: string) => `${table}/${SYMLINK_MANIFEST_FOLDER}`;

/** `<table>/_symlink_published.json`: which snapshot versions the manifests list. Beside the manifest
 * folder, not in it: the folder is an unpartitioned table's catalog location, and a symlink reader takes
 * every file there for a manifest (whether it skips `_` names is up to the engine). */
export const publishedKey = (table: string) => `${table}/_symlink_published.json`;

/** What a table's manifests publish. Vacuum keeps the files of every version in `versions`, so a file an
 * external reader may be told to read stays until a later crawl publishes a version without it. */
export interface PublishedManifests {
  /** The snapshot version every manifest lists (0 while none is complete). */
  readonly version: number;
  /** Versions whose files the manifests may list: `[version]` once published; while a crawl replaces the
   * manifests, the versions being replaced too (a crawl that died half-way leaves them listed). */
  readonly versions: readonly number[];
  /** `layout.uri(zone)` the manifests' URIs start with: a lake moved or read under another layout is
   * republished. */
  readonly root: string;
  readonly publishedAt: string;
  /** Manifest objects written (one per partition with base files; unpartitioned tables: one). */
  readonly manifests: number;
}

const text = new TextDecoder();

/** The table's publication record; undefined when its manifests were never published. */
export async function readPublished(
  store: ObjectStore,
  bucket: string,
  table: string,
): Promise<PublishedManifests | undefined> {
  try {
    const p = JSON.parse(text.decode(await store.get(bucket, publishedKey(table)))) as PublishedManifests;
    return { ...p, versions: p.versions ?? [p.version] };
  } catch (e) {
    if (e instanceof ObjectNotFoundError) return undefined;
    throw e;
  }
}

export const writePublished = (store: ObjectStore, bucket: string, table: string, p: PublishedManifests) =>
  store.put(bucket, publishedKey(table), `${JSON.stringify(p)}\n`);
