import {
  type Catalog,
  type CatalogTable,
  deltaLayers,
  type LakeLayout,
  mergeOnReadSql,
  type ObjectStore,
} from "@hotels/lake";
import { duckdbType, type LakeZone, quoteIdent } from "@hotels/schema";
import { logicalTypeOf } from "./decode.ts";

/** What the engine needs of the lake's table snapshots (`TableLog` satisfies it): the committed version of
 * a table, cheaply, and its complete list of live files. Readers use only committed snapshot files. */
export interface SnapshotReader {
  currentVersion(zone: LakeZone, table: string): Promise<number>;
  current(
    zone: LakeZone,
    table: string,
  ): Promise<
    | {
        readonly version: number;
        readonly committedAt?: string;
        readonly rows?: number;
        /** Key column(s) of a merge-on-read table (see `@hotels/lake` `mergeOnReadSql`). */
        readonly key?: readonly string[];
        readonly files: readonly SnapshotFile[];
      }
    | undefined
  >;
}

/** A committed file as the engine reads it: `role: "delta"` files supersede base rows by the snapshot's key
 * and hold their partition values as columns (`partitions` lists them). */
export interface SnapshotFile {
  readonly key: string;
  readonly rows?: number;
  readonly bytes?: number;
  readonly partition?: Readonly<Record<string, string>>;
  readonly role?: "base" | "delta";
  readonly partitions?: readonly Readonly<Record<string, string>>[];
  readonly supersedes?: number;
  readonly layer?: number;
}

/** Lake zones whose catalogued tables are queryable as `<zone>.<table>` (default). */
export const QUERYABLE_ZONES: readonly LakeZone[] = [
  "raw",
  "processed",
  "curated",
  "predictions",
  "rejected",
];

export interface LakeSources {
  readonly catalog: Catalog;
  readonly snapshots: SnapshotReader;
  /** Zones exposed. Default `QUERYABLE_ZONES`. */
  readonly zones?: readonly LakeZone[];
  /** Catalog database of a zone. Default: the zone's name. */
  readonly databaseOf?: (zone: LakeZone) => string;
}

/** A catalogued table with the zone it belongs to. */
export interface ZoneTable {
  readonly zone: LakeZone;
  readonly table: CatalogTable;
}

/** Every catalogued table of the exposed zones. A zone without a catalog database has no tables. */
export async function catalogTables(sources: LakeSources): Promise<ZoneTable[]> {
  const zones = sources.zones ?? QUERYABLE_ZONES;
  const perZone = await Promise.all(
    zones.map(async (zone) => {
      try {
        return await sources.catalog.getTables(sources.databaseOf?.(zone) ?? zone);
      } catch (e) {
        // Glue says EntityNotFoundException; the local catalog a not-found error: no database, no tables.
        if (/not ?found/i.test(`${(e as Error).name} ${(e as Error).message}`)) return [];
        throw e;
      }
    }),
  );
  const out: ZoneTable[] = zones.flatMap((zone, i) => perZone[i]!.map((table) => ({ zone, table })));
  return out.sort((a, b) => (`${a.zone}.${a.table.Name}` < `${b.zone}.${b.table.Name}` ? -1 : 1));
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** DuckDB type of a Glue column type (`int`, `decimal(10,2)`, …), via the schema's logical types. */
export function duckdbTypeOfGlue(glueType: string): string {
  const t = logicalTypeOf(glueType);
  if (t.kind === "unknown") throw new Error(`unsupported catalog column type ${glueType}`);
  return duckdbType(t);
}

/** Delta files of a merge-on-read snapshot: their local paths, one list per layer (oldest first), and the
 * key by which they supersede base rows and older layers' rows. */
export interface DeltaPaths {
  readonly layers: readonly (readonly string[])[];
  readonly key: readonly string[];
}

/** `CREATE OR REPLACE VIEW "<zone>"."<table>"` over the given committed files, typed from the catalog:
 * data columns then partition columns, partition values read from the hive paths with the catalog's types
 * (so a filter on them prunes files). With `delta`, the view applies the lake's merge-on-read rule: base
 * rows whose key a delta row holds are left out, each key's newest delta row (partition values as typed
 * columns) added;
 * a partition filter still prunes the base files, the small delta is read whole. No files: an empty view
 * of the same columns and types. */
export function viewSql(
  zone: LakeZone,
  t: CatalogTable,
  paths: readonly string[],
  delta?: DeltaPaths,
): string {
  const data = t.StorageDescriptor?.Columns ?? [];
  const parts = t.PartitionKeys ?? [];
  const all = [...data, ...parts];
  const name = `${quoteIdent(zone)}.${quoteIdent(t.Name)}`;
  const empty = `SELECT ${all.map((c) => `CAST(NULL AS ${duckdbTypeOfGlue(c.Type)}) AS ${quoteIdent(c.Name)}`).join(", ")} WHERE false`;
  const layers = (delta?.layers ?? []).filter((l) => l.length);
  if (paths.length === 0 && layers.length === 0) return `CREATE OR REPLACE VIEW ${name} AS ${empty}`;
  const hiveTypes = parts.length
    ? `, hive_types = {${parts.map((c) => `${sqlString(c.Name)}: ${duckdbTypeOfGlue(c.Type)}`).join(", ")}}`
    : "";
  const cols = all.map((c) => quoteIdent(c.Name)).join(", ");
  const base = paths.length
    ? `SELECT ${cols} FROM read_parquet([${paths.map(sqlString).join(", ")}], hive_partitioning = ${parts.length > 0}${hiveTypes})`
    : empty;
  if (!layers.length) return `CREATE OR REPLACE VIEW ${name} AS ${base}`;
  const typed = all.map(
    (c) => `CAST(${quoteIdent(c.Name)} AS ${duckdbTypeOfGlue(c.Type)}) AS ${quoteIdent(c.Name)}`,
  );
  const layerSource = (layer: readonly string[]) =>
    `(SELECT ${typed.join(", ")} FROM read_parquet([${layer.map(sqlString).join(", ")}], hive_partitioning = false))`;
  return `CREATE OR REPLACE VIEW ${name} AS ${mergeOnReadSql({
    base: `(${base})`,
    delta: layers.map(layerSource),
    key: delta!.key,
    columns: all.map((c) => c.Name),
  })}`;
}

/** The arguments of `viewSql` for a committed snapshot: base file paths and, when it has any, its delta. */
export function snapshotPaths(
  store: ObjectStore,
  layout: LakeLayout,
  zone: LakeZone,
  snap: { readonly key?: readonly string[]; readonly files: readonly SnapshotFile[] } | undefined,
): { paths: string[]; delta?: DeltaPaths } {
  const files = snap?.files ?? [];
  const deltas = files.filter((f) => f.role === "delta");
  const paths = localPaths(
    store,
    layout,
    zone,
    files.filter((f) => f.role !== "delta"),
  );
  if (!deltas.length) return { paths };
  const layers = deltaLayers(deltas).map((layer) => localPaths(store, layout, zone, layer));
  return { paths, delta: { layers, key: snap?.key ?? [] } };
}

/** Local paths of a snapshot's files; DuckDB reads only these (never a folder glob, which would also see
 * uncommitted or vacuumed files). */
export function localPaths(
  store: ObjectStore,
  layout: LakeLayout,
  zone: LakeZone,
  files: readonly { readonly key: string }[],
): string[] {
  if (!store.localPath) throw new Error("the DuckDB query engine needs a local object store (a lake folder)");
  const bucket = layout.bucket(zone);
  return files.map((f) => store.localPath!(bucket, f.key));
}

/** One line of `hotels tables`. */
export interface TableSummary {
  /** `<zone>.<table>` */
  readonly name: string;
  readonly zone: LakeZone;
  readonly table: string;
  /** Committed snapshot version (0: catalogued, nothing committed yet). */
  readonly version: number;
  readonly rows: number;
  readonly files: number;
  /** Distinct partitions among the committed files; 0 for an unpartitioned table. */
  readonly partitions: number;
  readonly bytes: number;
  /** Last commit, else the catalog entry's update time (ISO 8601). */
  readonly updatedAt?: string;
  readonly partitionKeys: readonly string[];
  readonly location?: string;
}

/** Catalogued tables with the figures of their current snapshots. */
export async function describeTables(sources: LakeSources): Promise<TableSummary[]> {
  const out: TableSummary[] = [];
  for (const { zone, table } of await catalogTables(sources)) {
    const snap = await sources.snapshots.current(zone, table.Name);
    const files = snap?.files ?? [];
    const partitionKeys = (table.PartitionKeys ?? []).map((c) => c.Name);
    // Partitions of base and delta files alike (a delta file lists those of its rows).
    const partitions = new Set(
      files.flatMap((f) =>
        (f.role === "delta" ? (f.partitions ?? []) : f.partition ? [f.partition] : []).map((p) =>
          JSON.stringify(partitionKeys.map((k) => p[k])),
        ),
      ),
    );
    const updated = snap?.committedAt ?? table.UpdateTime?.toISOString();
    out.push({
      name: `${zone}.${table.Name}`,
      zone,
      table: table.Name,
      version: snap?.version ?? 0,
      rows:
        snap?.rows ??
        files.reduce((n, f) => n + (f.rows ?? 0) - (f.role === "delta" ? (f.supersedes ?? 0) : 0), 0),
      files: files.length,
      partitions: partitions.size,
      bytes: files.reduce((n, f) => n + (f.bytes ?? 0), 0),
      ...(updated ? { updatedAt: updated } : {}),
      partitionKeys,
      ...(table.StorageDescriptor?.Location ? { location: table.StorageDescriptor.Location } : {}),
    });
  }
  return out;
}
