import { quoteIdent } from "@hotels/schema";
import { type DataFile, dataPrefix, parsePartition } from "./snapshots.ts";

/** Merge-on-read tables: a snapshot's files are BASE files (Hive partitions, copy-on-write) plus at most
 * a small layer of DELTA files under `<table>/_delta/` holding the newest version of the keys that changed
 * since the last compaction. The read rule, the same for every reader:
 *
 *   live rows = base rows whose key is in no delta file  ∪  every delta row
 *
 * Delta files hold the partition columns as real columns (they are not in Hive folders), and their folder
 * starts with `_`, which Hive, Spark and Athena skip when they list a table's location. */
export const DELTA_FOLDER = "_delta/";

/** `<table>/_delta/<runId>-<part>.parquet`: a run-unique key for a delta file. */
export const deltaFileKey = (table: string, runId: string, part = 0) =>
  `${dataPrefix(table)}${DELTA_FOLDER}${runId}-${String(part).padStart(5, "0")}.parquet`;

export const isDelta = (f: DataFile) => f.role === "delta";
export const baseFiles = (files: readonly DataFile[]) => files.filter((f) => !isDelta(f));
export const deltaFiles = (files: readonly DataFile[]) => files.filter(isDelta);

/** Partition values a file holds rows of: a base file's own partition, a delta file's listed ones. */
export function filePartitions(f: DataFile): readonly Readonly<Record<string, string>>[] {
  if (isDelta(f)) return f.partitions ?? [];
  const p = f.partition ?? parsePartition(f.key);
  return Object.keys(p).length ? [p] : [];
}

export interface MergeOnReadRelations {
  /** A relation (table, view, `read_parquet(…)` or parenthesised subquery) over the base files. */
  readonly base: string;
  /** The same over the delta files; none: the base alone. */
  readonly delta?: string;
  /** Key column(s) by which delta rows supersede base rows. */
  readonly key: readonly string[];
  /** Columns of the result, in order; both relations must have them. */
  readonly columns: readonly string[];
}

/** DuckDB SQL of the read rule (see `DELTA_FOLDER`). A filter on the result is pushed into both branches,
 * so a partition filter still prunes the base files; the delta is read whole (it is small). */
export function mergeOnReadSql(r: MergeOnReadRelations): string {
  const cols = r.columns.map(quoteIdent).join(", ");
  if (!r.delta) return `SELECT ${cols} FROM ${r.base}`;
  if (!r.key.length) throw new Error("merge-on-read needs the key column(s)");
  const on = r.key.map((k) => `etl_delta.${quoteIdent(k)} = etl_base.${quoteIdent(k)}`).join(" AND ");
  return `SELECT ${r.columns.map((c) => `etl_base.${quoteIdent(c)}`).join(", ")} FROM ${r.base} AS etl_base
  WHERE NOT EXISTS (SELECT 1 FROM ${r.delta} AS etl_delta WHERE ${on})
UNION ALL SELECT ${cols} FROM ${r.delta}`;
}
