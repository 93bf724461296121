import { quoteIdent } from "@hotels/schema";
import { type DataFile, dataPrefix, parsePartition } from "./snapshots.ts";

/** Merge-on-read tables: a snapshot's files are BASE files (Hive partitions, copy-on-write) plus LAYERS of
 * DELTA files under `<table>/_delta/`. Each incremental run adds one layer holding the newest version of
 * the keys it changed (`DataFile.layer`, higher = newer; a file without one is layer 0), so a run writes
 * only its own changes; a compaction folds every layer into the base. The read rule, the same for every
 * reader (DuckDB here, the Glue script's `scan`):
 *
 *   live rows = base rows whose key is in no delta file  ∪  each delta row whose key is in no newer layer
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

/** A delta file's layer (0 when it has none: a file written before layers existed). */
export const layerOf = (f: { readonly layer?: number }) => f.layer ?? 0;

/** The delta files grouped by layer, oldest layer first. */
export function deltaLayers<F extends { readonly role?: string; readonly layer?: number }>(
  files: readonly F[],
): F[][] {
  const byLayer = new Map<number, F[]>();
  for (const f of files)
    if (f.role === "delta") byLayer.set(layerOf(f), [...(byLayer.get(layerOf(f)) ?? []), f]);
  return [...byLayer.entries()].sort(([a], [b]) => a - b).map(([, fs]) => fs);
}

/** The layer number a new delta layer on top of `files` gets. */
export const nextLayer = (files: readonly DataFile[]) =>
  deltaFiles(files).reduce((n, f) => Math.max(n, layerOf(f) + 1), 1);

/** Partition values a file holds rows of: a base file's own partition, a delta file's listed ones. */
export function filePartitions(f: DataFile): readonly Readonly<Record<string, string>>[] {
  if (isDelta(f)) return f.partitions ?? [];
  const p = f.partition ?? parsePartition(f.key);
  return Object.keys(p).length ? [p] : [];
}

export interface MergeOnReadRelations {
  /** A relation (table, view, `read_parquet(…)` or parenthesised subquery) over the base files. */
  readonly base: string;
  /** The same over the delta files: one relation, or one per layer, oldest first (each with unique keys);
   * none: the base alone. */
  readonly delta?: string | readonly string[];
  /** Key column(s) by which delta rows supersede base rows and older layers' rows. */
  readonly key: readonly string[];
  /** Columns of the result, in order; every relation must have them. */
  readonly columns: readonly string[];
}

/** DuckDB SQL of the newest version of every key over delta layers (oldest first): each key's row of the
 * highest layer that holds it, found by a join on (key, highest layer) rather than a window over whole rows,
 * so a filter on the result (`updated_at > …`, a key list) still reaches every layer's scan and only key
 * columns are grouped. It grows with the rows, not with the square of the layers: a filtered read of 24
 * layers of 10k rows took 42 ms, 181 ms as anti-joins of each layer against the newer ones (2 layers: 5 vs 4). */
export function newestDeltaSql(
  layers: readonly string[],
  key: readonly string[],
  columns: readonly string[],
): string {
  const cols = columns.map(quoteIdent).join(", ");
  if (layers.length === 1) return `SELECT ${cols} FROM ${layers[0]}`;
  const keyCols = key.map(quoteIdent).join(", ");
  const stacked = layers.map((l, i) => `SELECT ${cols}, ${i} AS etl_layer FROM ${l}`).join(" UNION ALL ");
  const keys = layers.map((l, i) => `SELECT ${keyCols}, ${i} AS etl_layer FROM ${l}`).join(" UNION ALL ");
  const on = key.map((k) => `etl_row.${quoteIdent(k)} = etl_top.${quoteIdent(k)}`).join(" AND ");
  return `SELECT ${columns.map((c) => `etl_row.${quoteIdent(c)}`).join(", ")} FROM (${stacked}) AS etl_row SEMI JOIN (SELECT ${keyCols}, max(etl_layer) AS etl_layer FROM (${keys}) GROUP BY ${keyCols}) AS etl_top ON ${on} AND etl_row.etl_layer = etl_top.etl_layer`;
}

/** DuckDB SQL of the read rule (see `DELTA_FOLDER`). A filter on the result is pushed into the base
 * branch, so a partition filter still prunes the base files; the delta is read whole (it is small). */
export function mergeOnReadSql(r: MergeOnReadRelations): string {
  const cols = r.columns.map(quoteIdent).join(", ");
  const layers = r.delta === undefined ? [] : typeof r.delta === "string" ? [r.delta] : r.delta;
  if (!layers.length) return `SELECT ${cols} FROM ${r.base}`;
  if (!r.key.length) throw new Error("merge-on-read needs the key column(s)");
  const keyCols = r.key.map(quoteIdent).join(", ");
  const keys =
    layers.length === 1
      ? layers[0]!
      : `(${layers.map((l) => `SELECT ${keyCols} FROM ${l}`).join(" UNION ALL ")})`;
  const on = r.key.map((k) => `etl_delta.${quoteIdent(k)} = etl_base.${quoteIdent(k)}`).join(" AND ");
  return `SELECT ${r.columns.map((c) => `etl_base.${quoteIdent(c)}`).join(", ")} FROM ${r.base} AS etl_base
  WHERE NOT EXISTS (SELECT 1 FROM ${keys} AS etl_delta WHERE ${on})
UNION ALL ${newestDeltaSql(layers, r.key, r.columns)}`;
}
