import { randomBytes } from "node:crypto";
import type { LakeZone } from "@hotels/schema";
import { ConcurrentCommitError, ObjectExistsError, ObjectNotFoundError } from "./errors.ts";
import type { LakeLayout, ObjectStore } from "./port.ts";
import { manifestPrefix, publishedKey, readPublished } from "./published.ts";

/** How a commit's files combine with the table's current files. `delta`: every current file stays and the
 * commit's delta files are a new layer on top (merge-on-read, see `merge-on-read.ts`). */
export type SnapshotOperation = "append" | "overwrite" | "replace-partitions" | "delta";

/** `base`: ordinary data files. `delta`: merge-on-read rows that supersede, by the snapshot's `key`, every
 * base row with the same key (see `merge-on-read.ts`). */
export type FileRole = "base" | "delta";

/** One live data file of a table. `key` is relative to the zone's bucket. */
export interface DataFile {
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
  /** Hive partition values (`{ arrival_year: "2017", arrival_month: "7" }`) for partitioned tables' base
   * files. */
  readonly partition?: Readonly<Record<string, string>>;
  /** Default `base`. */
  readonly role?: FileRole;
  /** Delta files of partitioned tables: the partition values of the rows they hold (the partition columns
   * are real columns in a delta file, which lives under `<table>/_delta/`, outside the Hive folders). */
  readonly partitions?: readonly Readonly<Record<string, string>>[];
  /** Delta files: how many live rows (of the base or of older layers) they supersede, so the snapshot's
   * `rows` counts live rows. */
  readonly supersedes?: number;
  /** Delta files: the layer, higher = newer (a delta row supersedes the same key's rows in lower layers).
   * Default 0. */
  readonly layer?: number;
}

/** Source watermark(s) the run read up to: a value or one per source table. */
export type Watermark = string | Readonly<Record<string, string>>;

/** A committed version of a table: the COMPLETE set of its live data files. */
export interface Snapshot {
  /** `<zone>.<table>` */
  readonly table: string;
  readonly version: number;
  readonly runId: string;
  /** ISO 8601. */
  readonly committedAt: string;
  readonly schemaHash: string;
  readonly watermark?: Watermark;
  readonly operation: SnapshotOperation;
  readonly files: readonly DataFile[];
  /** Key column(s) by which delta files supersede base rows; set when the table is merge-on-read. */
  readonly key?: readonly string[];
  /** This version holds exactly the live rows of that earlier version (a compaction that merged nothing
   * new, or the same files under new watermarks): readers that diff versions may diff against it. */
  readonly sameRowsAs?: number;
  /** Live rows: `files[].rows` summed, less the base rows the delta files supersede. */
  readonly rows: number;
  /** Files this commit added and removed relative to the previous version. */
  readonly added: number;
  readonly removed: number;
}

export interface CommitInput {
  readonly runId: string;
  /** The files THIS run wrote (already in the store); the log combines them with the current files. */
  readonly files: readonly DataFile[];
  readonly schemaHash: string;
  readonly watermark?: Watermark;
  readonly operation: SnapshotOperation;
  /** Key column(s) of a merge-on-read table; required when the resulting file set holds a delta file. */
  readonly key?: readonly string[];
  /** See `Snapshot.sameRowsAs`. */
  readonly sameRowsAs?: number;
  /** Fail with `ConcurrentCommitError` unless the current version is this (0 = no snapshot yet). When
   * omitted, a lost race is retried on top of the winner's snapshot. */
  readonly expectedVersion?: number;
}

export interface VacuumOptions {
  /** Keep files referenced by this many latest versions. Default 1 (the current one). */
  readonly retainVersions?: number;
  /** Only report what would be deleted. Default false. */
  readonly dryRun?: boolean;
}

export interface VacuumResult {
  readonly deleted: readonly string[];
  readonly bytes: number;
  /** Unfinished puts removed (temp files / incomplete multipart uploads older than the current snapshot). */
  readonly incomplete: number;
}

export const SNAPSHOTS_PREFIX = "_snapshots/";
const VERSION_DIGITS = 10;

/** Where a table's data files live in its zone bucket: `<table>/`. Vacuum only touches this prefix. */
export const dataPrefix = (table: string) => `${table}/`;

/** `k1=v1/k2=v2/` for partition values, in `keys` order (default: the object's order). */
export function partitionPath(
  partition: Readonly<Record<string, string>>,
  keys: readonly string[] = Object.keys(partition),
): string {
  return keys
    .map((k) => {
      const v = partition[k];
      if (v === undefined) throw new Error(`partition value missing for ${k}`);
      return `${k}=${encodeURIComponent(v)}/`;
    })
    .join("");
}

/** Hive partition values found in a key's `k=v` segments. */
export function parsePartition(key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const seg of key.split("/").slice(0, -1)) {
    const i = seg.indexOf("=");
    if (i > 0) out[seg.slice(0, i)] = decodeURIComponent(seg.slice(i + 1));
  }
  return out;
}

/** A sortable, unique run id: `20261124T061500Z-3fa2c1`. */
export function newRunId(now = new Date()): string {
  const ts = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${ts}-${randomBytes(3).toString("hex")}`;
}

/** A data file key for a run: `<table>/<partition path><runId>-<part>.<ext>`. Unique per run, so a crashed
 * run's files never collide with a later run's. */
export function dataFileKey(
  table: string,
  runId: string,
  part: number,
  partition?: Readonly<Record<string, string>>,
  ext = "parquet",
): string {
  return `${dataPrefix(table)}${partition ? partitionPath(partition) : ""}${runId}-${String(part).padStart(5, "0")}.${ext}`;
}

const partitionId = (f: DataFile) =>
  f.partition
    ? JSON.stringify(Object.entries(f.partition).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : "";

/** The complete file set after applying `op` with `added` on top of `current`. */
export function applyOperation(
  current: readonly DataFile[],
  added: readonly DataFile[],
  op: SnapshotOperation,
): DataFile[] {
  switch (op) {
    case "append":
      return [...current, ...added];
    case "overwrite":
      return [...added];
    case "replace-partitions": {
      const touched = new Set(added.map(partitionId));
      return [...current.filter((f) => !touched.has(partitionId(f))), ...added];
    }
    case "delta":
      if (added.some((f) => f.role !== "delta")) throw new Error("a delta commit adds only delta files");
      return [...current, ...added];
  }
}

/** Live rows of a file set: every file's rows less the rows its delta files supersede. */
export const liveRows = (files: readonly DataFile[]) =>
  files.reduce((n, f) => n + f.rows - (f.role === "delta" ? (f.supersedes ?? 0) : 0), 0);

export interface TableLogOptions {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  /** Retries of a lost commit race when no `expectedVersion` is given. Default 5. */
  readonly maxRetries?: number;
  /** Check that each committed file exists with its stated size. Default true. */
  readonly verifyFiles?: boolean;
}

const text = new TextDecoder();

/** Table snapshots ("manifests"): the atomic commit every lake writer and reader goes through.
 *
 * Protocol (per table, in the zone's bucket):
 * 1. a writer puts its data files under unique run-id keys (`dataFileKey`): invisible until committed;
 * 2. `commit` writes `_snapshots/<table>/<version>.json` create-if-absent — THE commit point; a concurrent
 *    writer that took the same version gets `ObjectExistsError` and retries on top of it or fails;
 * 3. then replaces `_snapshots/<table>/_current` (a hint, `{ "version": n }`); `current` reads the hint and
 *    rolls forward over any later version file, so a crash between 2 and 3 loses nothing.
 * Readers use only `current(...).files`; files of a crashed run are orphans that `vacuum` removes. */
export class TableLog {
  private readonly store: ObjectStore;
  private readonly layout: LakeLayout;
  private readonly maxRetries: number;
  private readonly verifyFiles: boolean;

  constructor(options: TableLogOptions) {
    this.store = options.store;
    this.layout = options.layout;
    this.maxRetries = options.maxRetries ?? 5;
    this.verifyFiles = options.verifyFiles ?? true;
  }

  private versionKey(table: string, version: number) {
    return `${SNAPSHOTS_PREFIX}${table}/${String(version).padStart(VERSION_DIGITS, "0")}.json`;
  }
  private pointerKey(table: string) {
    return `${SNAPSHOTS_PREFIX}${table}/_current`;
  }

  private async readJson<T>(bucket: string, key: string): Promise<T | undefined> {
    try {
      return JSON.parse(text.decode(await this.store.get(bucket, key))) as T;
    } catch (e) {
      if (e instanceof ObjectNotFoundError) return undefined;
      throw e;
    }
  }

  /** The current version number (0 when none), rolling forward past a stale `_current` pointer. */
  async currentVersion(zone: LakeZone, table: string): Promise<number> {
    const bucket = this.layout.bucket(zone);
    let v = (await this.readJson<{ version: number }>(bucket, this.pointerKey(table)))?.version ?? 0;
    while (await this.store.head(bucket, this.versionKey(table, v + 1))) v++;
    return v;
  }

  /** A given version's snapshot, or undefined. */
  async snapshot(zone: LakeZone, table: string, version: number): Promise<Snapshot | undefined> {
    if (version < 1) return undefined;
    return this.readJson<Snapshot>(this.layout.bucket(zone), this.versionKey(table, version));
  }

  /** The table's current snapshot; undefined before its first commit. */
  async current(zone: LakeZone, table: string): Promise<Snapshot | undefined> {
    return this.snapshot(zone, table, await this.currentVersion(zone, table));
  }

  /** All committed versions of a table, oldest first. */
  async versions(zone: LakeZone, table: string): Promise<number[]> {
    const out: number[] = [];
    for await (const o of this.store.list(this.layout.bucket(zone), `${SNAPSHOTS_PREFIX}${table}/`)) {
      const m = /\/(\d+)\.json$/.exec(o.key);
      if (m) out.push(Number(m[1]));
    }
    return out.sort((a, b) => a - b);
  }

  /** Tables of a zone that have at least one committed snapshot. */
  async tables(zone: LakeZone): Promise<string[]> {
    const names = new Set<string>();
    for await (const o of this.store.list(this.layout.bucket(zone), SNAPSHOTS_PREFIX)) {
      const m = /^_snapshots\/([^/]+)\/\d+\.json$/.exec(o.key);
      if (m) names.add(m[1]!);
    }
    return [...names].sort();
  }

  /** Commits a new version: see the class comment. Returns the committed snapshot. */
  async commit(zone: LakeZone, table: string, input: CommitInput): Promise<Snapshot> {
    const bucket = this.layout.bucket(zone);
    const name = `${zone}.${table}`;
    await this.checkFiles(bucket, name, input.files);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.current(zone, table);
      const curVersion = cur?.version ?? 0;
      if (input.expectedVersion !== undefined && curVersion !== input.expectedVersion)
        throw new ConcurrentCommitError(
          `${name}: expected version ${input.expectedVersion} but the current version is ${curVersion} (another run committed first)`,
        );
      const before = cur?.files ?? [];
      const files = applyOperation(before, input.files, input.operation);
      const keys = new Set<string>();
      for (const f of files) {
        if (keys.has(f.key))
          throw new Error(`${name}: file ${f.key} would be listed twice (committed already?)`);
        keys.add(f.key);
      }
      const key = input.key ?? cur?.key;
      if (files.some((f) => f.role === "delta") && !key?.length)
        throw new Error(`${name}: a snapshot with delta files needs its key column(s)`);
      const snapshot: Snapshot = {
        table: name,
        version: curVersion + 1,
        runId: input.runId,
        committedAt: new Date().toISOString(),
        schemaHash: input.schemaHash,
        ...(input.watermark !== undefined ? { watermark: input.watermark } : {}),
        operation: input.operation,
        files,
        ...(key?.length ? { key } : {}),
        ...(input.sameRowsAs !== undefined ? { sameRowsAs: input.sameRowsAs } : {}),
        rows: liveRows(files),
        added: input.files.length,
        removed: before.filter((f) => !keys.has(f.key)).length,
      };
      try {
        await this.store.put(bucket, this.versionKey(table, snapshot.version), JSON.stringify(snapshot), {
          ifAbsent: true,
        });
      } catch (e) {
        if (!(e instanceof ObjectExistsError)) throw e;
        if (input.expectedVersion !== undefined || attempt >= this.maxRetries)
          throw new ConcurrentCommitError(
            `${name}: version ${snapshot.version} was committed concurrently by another writer`,
          );
        continue;
      }
      // The pointer is only a hint (readers roll forward), so a crash here loses nothing.
      await this.store.put(bucket, this.pointerKey(table), JSON.stringify({ version: snapshot.version }));
      return snapshot;
    }
  }

  private async checkFiles(bucket: string, name: string, files: readonly DataFile[]) {
    for (const f of files) {
      if (!Number.isInteger(f.rows) || f.rows < 0)
        throw new Error(`${name}: ${f.key}: bad row count ${f.rows}`);
      if (f.key.startsWith(SNAPSHOTS_PREFIX)) throw new Error(`${name}: ${f.key}: not a data file key`);
    }
    if (!this.verifyFiles) return;
    // Bounded parallelism: a commit may list thousands of files on S3.
    const queue = [...files];
    const worker = async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        const info = await this.store.head(bucket, f.key);
        if (!info) throw new Error(`${name}: cannot commit ${f.key}: no such object in ${bucket}`);
        if (info.size !== f.bytes)
          throw new Error(
            `${name}: cannot commit ${f.key}: ${info.size} bytes in the store, ${f.bytes} stated`,
          );
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, queue.length) }, worker));
  }

  /** Deletes data files under `<table>/` that no retained snapshot references and that are older than the
   * current snapshot (younger ones may belong to a run that has not committed yet). Retained: the latest
   * `retainVersions` and the versions the table's symlink manifests publish (external readers such as Athena
   * read those files until the next crawl publishes a newer version). The manifests are never deleted here. */
  async vacuum(zone: LakeZone, table: string, options: VacuumOptions = {}): Promise<VacuumResult> {
    const bucket = this.layout.bucket(zone);
    const currentVersion = await this.currentVersion(zone, table);
    if (currentVersion === 0) return { deleted: [], bytes: 0, incomplete: 0 };
    const retain = Math.max(1, options.retainVersions ?? 1);
    const versions = new Set<number>();
    for (let v = currentVersion; v > Math.max(0, currentVersion - retain); v--) versions.add(v);
    for (const v of (await readPublished(this.store, bucket, table))?.versions ?? []) versions.add(v);
    const referenced = new Set<string>();
    let cutoff = Number.POSITIVE_INFINITY;
    for (const v of versions) {
      const s = await this.snapshot(zone, table, v);
      if (!s) continue;
      if (v === currentVersion) cutoff = Date.parse(s.committedAt);
      for (const f of s.files) referenced.add(f.key);
    }
    const manifests = manifestPrefix(table);
    const deleted: string[] = [];
    let bytes = 0;
    for await (const o of this.store.list(bucket, dataPrefix(table))) {
      if (
        referenced.has(o.key) ||
        o.key.startsWith(manifests) ||
        o.key === publishedKey(table) ||
        o.lastModified.getTime() >= cutoff
      )
        continue;
      if (!options.dryRun) await this.store.delete(bucket, o.key);
      deleted.push(o.key);
      bytes += o.size;
    }
    const incomplete =
      options.dryRun || !this.store.sweepIncomplete || !Number.isFinite(cutoff)
        ? 0
        : await this.store.sweepIncomplete(bucket, dataPrefix(table), new Date(cutoff));
    return { deleted, bytes, incomplete };
  }
}
