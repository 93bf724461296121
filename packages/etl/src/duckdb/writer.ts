import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import {
  type DataFile,
  dataFileKey,
  deltaFileKey,
  type LakeLayout,
  type ObjectStore,
  partitionPath,
} from "@hotels/lake";
import type { LakeZone, TableDef } from "@hotels/schema";
import { type Engine, q } from "./engine.ts";

/** How a table's files are laid out in its zone bucket.
 * - `single`: one file set, rewritten as a whole (small tables);
 * - `bucketed`: files per `etl_bucket` value, named `<table>/<runId>-b<bucket>-<n>.parquet` (processed
 *   tables without Hive partitions: a merge rewrites only the buckets it touches);
 * - `hive`: Hive partitions `<table>/k1=v1/k2=v2/<runId>-<n>.parquet` (the schema's partition keys). */
export type Placement =
  | { readonly kind: "single" }
  | { readonly kind: "bucketed" }
  | { readonly kind: "hive"; readonly keys: readonly string[] };

/** Rows per Parquet row group and the compression of every file the ETL writes. */
export const PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880";

const BUCKET_FILE = /-b([0-9A-Za-z_]+)-\d+\.parquet$/;

/** The bucket / partition id of a committed file: what a merge groups files by. */
export function fileGroup(f: DataFile, placement: Placement): string {
  switch (placement.kind) {
    case "single":
      return "all";
    case "bucketed":
      return BUCKET_FILE.exec(f.key)?.[1] ?? "all";
    case "hive":
      return partitionPath(f.partition ?? {}, placement.keys);
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.name.endsWith(".parquet")) out.push(p);
  }
  return out.sort();
}

export interface WriterContext {
  readonly engine: Engine;
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly runId: string;
}

let seq = 0;

/** Staging folder of a run in a zone bucket. `_`-prefixed folders are invisible to Hive, Spark and Athena,
 * and outside `<table>/`, so readers never see a half-written file. */
export const stagingKey = (runId: string) => `_tmp/etl-${runId}`;

/** Writes the rows of `sql` as Parquet files of `table` in `zone`: COPY into a staging folder, then each
 * file renamed (atomically, same file system) to its final run-unique key. Returns the files, uncommitted. */
export async function writeFiles(
  ctx: WriterContext,
  zone: LakeZone,
  table: TableDef,
  placement: Placement,
  sql: string,
): Promise<DataFile[]> {
  const { store, layout, engine, runId } = ctx;
  if (!store.localPath)
    throw new Error("the DuckDB runner needs a local object store (use the Glue job on AWS)");
  const bucket = layout.bucket(zone);
  const stage = store.localPath(bucket, `${stagingKey(runId)}/${table.name}-${++seq}`);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  if (placement.kind === "single") {
    await engine.run(`COPY (${sql}) TO ${q(path.join(stage, "part.parquet"))} (${PARQUET_OPTIONS})`);
  } else {
    const by = placement.kind === "hive" ? placement.keys.join(", ") : "etl_bucket";
    await engine.run(
      `COPY (${sql}) TO ${q(stage)} (${PARQUET_OPTIONS}, PARTITION_BY (${by}), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part-{i}')`,
    );
  }
  const staged = await walk(stage);
  if (!staged.length) return [];
  const meta = await engine.rows<{ file_name: string; num_rows: bigint }>(
    `SELECT file_name, num_rows FROM parquet_file_metadata([${staged.map(q).join(", ")}])`,
  );
  const rowsOf = new Map(meta.map((m) => [m.file_name, Number(m.num_rows)]));
  const files: DataFile[] = [];
  const parts = new Map<string, number>();
  for (const file of staged) {
    const rows = rowsOf.get(file) ?? 0;
    if (rows === 0) continue;
    const rel = path.relative(stage, file).split(path.sep);
    const values: Record<string, string> = {};
    for (const seg of rel.slice(0, -1)) {
      const i = seg.indexOf("=");
      if (i > 0) values[seg.slice(0, i)] = decodeURIComponent(seg.slice(i + 1));
    }
    const group = placement.kind === "bucketed" ? (values.etl_bucket ?? "all") : JSON.stringify(values);
    const n = parts.get(group) ?? 0;
    parts.set(group, n + 1);
    let key: string;
    let partition: Record<string, string> | undefined;
    if (placement.kind === "hive") {
      partition = Object.fromEntries(placement.keys.map((k) => [k, values[k] ?? ""]));
      key = dataFileKey(table.name, runId, n, partition);
    } else if (placement.kind === "bucketed") {
      key = `${table.name}/${runId}-b${group}-${String(n).padStart(5, "0")}.parquet`;
    } else {
      key = dataFileKey(table.name, runId, n);
    }
    const target = store.localPath(bucket, key);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(file, target);
    const bytes = (await stat(target)).size;
    files.push(partition ? { key, rows, bytes, partition } : { key, rows, bytes });
  }
  await rm(stage, { recursive: true, force: true });
  return files;
}

/** Writes the rows of `sql` (every column of `table`, partition columns included as real columns) as ONE
 * delta file `<table>/_delta/<runId>-00000.parquet` (staged, then renamed). Returns it uncommitted, with
 * role `delta`; the caller adds `supersedes` and `partitions`. Undefined when `sql` has no rows. */
export async function writeDelta(
  ctx: WriterContext,
  zone: LakeZone,
  table: TableDef,
  sql: string,
): Promise<DataFile | undefined> {
  const { store, layout, engine, runId } = ctx;
  const bucket = layout.bucket(zone);
  const stage = store.localPath!(bucket, `${stagingKey(runId)}/${table.name}-${++seq}`);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  const file = path.join(stage, "delta.parquet");
  await engine.run(`COPY (${sql}) TO ${q(file)} (${PARQUET_OPTIONS})`);
  const rows = Number(
    (await engine.rows<{ n: bigint }>(`SELECT num_rows AS n FROM parquet_file_metadata(${q(file)})`))[0]?.n ??
      0,
  );
  if (rows === 0) {
    await rm(stage, { recursive: true, force: true });
    return undefined;
  }
  const key = deltaFileKey(table.name, runId);
  const target = store.localPath!(bucket, key);
  await mkdir(path.dirname(target), { recursive: true });
  await rename(file, target);
  await rm(stage, { recursive: true, force: true });
  return { key, rows, bytes: (await stat(target)).size, role: "delta" };
}
