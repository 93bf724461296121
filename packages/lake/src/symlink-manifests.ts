import type { LakeZone } from "@hotels/schema";
import { isDelta } from "./merge-on-read.ts";
import type { LakeLayout, ObjectStore } from "./port.ts";
import { manifestPrefix, publishedKey, readPublished, writePublished } from "./published.ts";
import { parsePartition, partitionPath, type Snapshot } from "./snapshots.ts";

/** Name of the manifest object in a partition's (or an unpartitioned table's) manifest folder. */
export const MANIFEST_NAME = "manifest";

/** The manifest folder of one partition (`<table>/_symlink_format_manifest/k1=v1/k2=v2/`), or of the whole
 * table when it has no partition keys: the catalog location Athena lists for it. */
export const manifestFolder = (
  table: string,
  partition: Readonly<Record<string, string>> = {},
  partitionNames: readonly string[] = [],
) => `${manifestPrefix(table)}${partitionNames.length ? partitionPath(partition, partitionNames) : ""}`;

/** The manifests of a snapshot: manifest key → URIs of the BASE files of its partition, sorted. Delta files
 * are left out (an external reader sees the state at the last compaction, see README); a base file of a
 * partitioned table without a value for every partition key belongs in no partition and is left out too. */
export function snapshotManifests(
  snapshot: Snapshot,
  table: string,
  partitionNames: readonly string[],
  uri: (key: string) => string,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (partitionNames.length === 0) out.set(`${manifestFolder(table)}${MANIFEST_NAME}`, []);
  for (const f of snapshot.files) {
    if (isDelta(f)) continue;
    const p = f.partition ?? parsePartition(f.key);
    if (partitionNames.some((k) => p[k] === undefined)) continue;
    const key = `${manifestFolder(table, p, partitionNames)}${MANIFEST_NAME}`;
    out.set(key, [...(out.get(key) ?? []), uri(f.key)]);
  }
  for (const uris of out.values()) uris.sort();
  return out;
}

export interface PublishManifestsOptions {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly zone: LakeZone;
  readonly table: string;
  readonly partitionNames: readonly string[];
  readonly snapshot: Snapshot;
}

export interface ManifestsPublished {
  /** The snapshot version the manifests now list. */
  readonly version: number;
  /** Manifest objects written (0 when that version was already published). */
  readonly written: number;
  /** Manifests of partitions the snapshot no longer has, deleted. */
  readonly deleted: number;
}

/** Concurrent puts/deletes of one publication: a table may have hundreds of partitions on S3. */
const PARALLEL = 16;
async function eachParallel<T>(items: readonly T[], f: (x: T) => Promise<void>) {
  const queue = [...items];
  const worker = async () => {
    for (let x = queue.shift(); x !== undefined; x = queue.shift()) await f(x);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
}

/** Publishes a snapshot as symlink manifests for external readers (Athena, Presto, Spark through the
 * catalog): one manifest per partition listing its committed base files, each written by one atomic put;
 * then deletes the manifests of partitions no longer live; then records the version as published. Before
 * the first put it records the version as pending beside the ones already published, so vacuum keeps the
 * files of both while the manifests are half old, half new. Nothing is written when that version is
 * already published under the same root. */
export async function publishManifests(o: PublishManifestsOptions): Promise<ManifestsPublished> {
  const bucket = o.layout.bucket(o.zone);
  const root = o.layout.uri(o.zone);
  const version = o.snapshot.version;
  const before = await readPublished(o.store, bucket, o.table);
  const done = before?.version === version && before.versions.length === 1 && before.root === root;
  if (done) return { version, written: 0, deleted: 0 };

  const manifests = snapshotManifests(o.snapshot, o.table, o.partitionNames, (key) =>
    o.layout.uri(o.zone, key),
  );
  const at = () => new Date().toISOString();
  await writePublished(o.store, bucket, o.table, {
    version: before?.version ?? 0,
    versions: [...new Set([...(before?.versions ?? []), version])],
    root,
    publishedAt: at(),
    manifests: before?.manifests ?? 0,
  });
  await eachParallel([...manifests], ([key, uris]) =>
    o.store.put(bucket, key, uris.map((u) => `${u}\n`).join("")),
  );
  const stale: string[] = [];
  for await (const obj of o.store.list(bucket, manifestPrefix(o.table)))
    if (obj.key.split("/").at(-1) === MANIFEST_NAME && !manifests.has(obj.key)) stale.push(obj.key);
  await eachParallel(stale, (key) => o.store.delete(bucket, key));
  await writePublished(o.store, bucket, o.table, {
    version,
    versions: [version],
    root,
    publishedAt: at(),
    manifests: manifests.size,
  });
  return { version, written: manifests.size, deleted: stale.length };
}

/** Removes a table's symlink manifests and then its publication record: for a table read as plain Parquet
 * (a zone outside `SYMLINK_MANIFEST_ZONES`) that an earlier crawl published, once the catalog no longer
 * points at them. The record goes last, so vacuum keeps the files a remaining manifest lists. Returns how
 * many manifests were deleted. */
export async function unpublishManifests(store: ObjectStore, bucket: string, table: string): Promise<number> {
  const manifests: string[] = [];
  for await (const obj of store.list(bucket, manifestPrefix(table)))
    if (obj.key.split("/").at(-1) === MANIFEST_NAME) manifests.push(obj.key);
  await eachParallel(manifests, (key) => store.delete(bucket, key));
  if (await store.head(bucket, publishedKey(table))) await store.delete(bucket, publishedKey(table));
  return manifests.length;
}
