import {
  type GlueTableInput,
  glueTableInput,
  glueTypesByName,
  type LakeZone,
  lakeTables,
  type TableDef,
  usesSymlinkManifests,
} from "@hotels/schema";
import type { Catalog, CatalogTable, PartitionInput } from "./catalog-port.ts";
import { type ObjectLockOptions, withObjectLock } from "./lock.ts";
import { isDelta } from "./merge-on-read.ts";
import { duckdbParquetColumns, type ParquetColumnsReader } from "./parquet-schema.ts";
import type { LakeLayout, ObjectStore } from "./port.ts";
import {
  type DataFile,
  dataPrefix,
  parsePartition,
  partitionPath,
  type Snapshot,
  TableLog,
} from "./snapshots.ts";
import { manifestFolder, publishManifests, unpublishManifests } from "./symlink-manifests.ts";

export interface CrawlOptions {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly catalog: Catalog;
  /** `<zone>.<table>` names to crawl. Default: every lake table of the schema that has a snapshot. */
  readonly tables?: readonly string[];
  /** Table definitions to crawl against. Default: `lakeTables` of `@hotels/schema`. */
  readonly definitions?: readonly TableDef[];
  /** Reads Parquet column lists. Default: DuckDB `parquet_schema()`. */
  readonly parquetColumns?: ParquetColumnsReader;
  /** Cross-process lock: object `key` in `bucket` (default: the curated bucket, `_locks/crawler.lock`). */
  readonly lock?: ObjectLockOptions & { readonly bucket?: string; readonly key?: string };
}

/** One schema-drift finding: what the schema package says against what the catalog or files hold. */
export interface DriftFinding {
  /** `<zone>.<table>` */
  readonly table: string;
  readonly column: string;
  /** `type-changed`: same name, other type. `unknown-column`: not in the schema. `missing-column`: a schema
   * column absent from a file (reads as NULL). `unreadable`: the file is not readable Parquet. */
  readonly kind: "type-changed" | "unknown-column" | "missing-column" | "unreadable";
  readonly expected?: string;
  readonly found?: string;
  /** `catalog`: the catalog's table definition (restored to the schema's). `files`: data files. */
  readonly source: "catalog" | "files";
  /** Keys (relative to the zone bucket) of the files concerned; empty for catalog findings. */
  readonly files: readonly string[];
}

export interface TableCrawlReport {
  readonly table: string;
  readonly version: number;
  readonly rows: number;
  readonly files: number;
  /** `created`/`updated`: the table definition was written; `unchanged`: it already matched. */
  readonly action: "created" | "updated" | "unchanged";
  readonly partitionsAdded: number;
  /** Catalog partitions re-pointed at their manifest folder (a catalog made before symlink manifests, or a
   * partition another tool registered at its Hive folder). */
  readonly partitionsUpdated: number;
  /** Catalog partitions with no file in the current snapshot, removed from the catalog. */
  readonly partitionsRemoved: number;
  /** Partitions in the catalog after the crawl. */
  readonly partitions: number;
  /** Catalog partitions with no file in the current snapshot that were left in place because a file of the
   * snapshot has no value for a partition key (its partition is unknown, so removal is not safe). */
  readonly stalePartitions: number;
  readonly filesInspected: number;
  /** Partitions withheld from the catalog because a file in them drifted in type or is unreadable. */
  readonly skippedPartitions: readonly { readonly values: readonly string[]; readonly reason: string }[];
  /** The symlink manifests external readers (Athena) go by: the snapshot version they list, how many were
   * written (0: that version was already published) and how many of gone partitions were deleted. A table
   * read as plain Parquet (predictions, see `SYMLINK_MANIFEST_ZONES`) publishes none: version 0, written 0,
   * and `deleted` counts the manifests of an earlier publication removed. */
  readonly manifests: { readonly version: number; readonly written: number; readonly deleted: number };
}

export interface CrawlReport {
  readonly startedAt: string;
  readonly seconds: number;
  /** True when this request joined a crawl queued behind a running one instead of starting its own. */
  readonly coalesced: boolean;
  /** Time spent waiting for another process's crawl. */
  readonly waitedForLockMs: number;
  readonly tables: readonly TableCrawlReport[];
  readonly partitionsAdded: number;
  readonly partitionsUpdated: number;
  readonly partitionsRemoved: number;
  /** Manifest objects written over every table. */
  readonly manifestsWritten: number;
  readonly drift: readonly DriftFinding[];
}

/** Table parameters the crawler records (Glue `Parameters` are strings). */
export const CRAWL_PARAMS = {
  version: "hotels.snapshot_version",
  rows: "hotels.rows",
  schemaHash: "hotels.schema_hash",
  committedAt: "hotels.committed_at",
} as const;

interface Pending {
  promise: Promise<CrawlReport>;
  tables: Set<string> | "all";
}
/** Per lock identity: the crawl running now and the one queued behind it. */
const inProcess = new Map<string, { running?: Promise<CrawlReport>; queued?: Pending }>();

/** Catalogs the lake: for each lake table with a committed snapshot, publishes the snapshot as symlink
 * manifests (what Athena reads; tables of manifest zones only, see `SYMLINK_MANIFEST_ZONES`), writes its
 * schema-derived table definition pointing at them (other tables: at their data folder, as Parquet),
 * registers new partitions, re-points old ones, removes those the snapshot no longer has and reports schema
 * drift (see README). Concurrent requests coalesce: in a process, callers arriving while a crawl runs share ONE
 * follow-up crawl (so none misses a commit made after the running crawl started); across processes a lock
 * object serialises crawls. */
export function crawl(options: CrawlOptions): Promise<CrawlReport> {
  const lockBucket = options.lock?.bucket ?? options.layout.bucket("curated");
  const lockKey = options.lock?.key ?? "_locks/crawler.lock";
  const id =
    options.store.localPath?.(lockBucket, lockKey) ?? `${options.store.kind}://${lockBucket}/${lockKey}`;
  const state = inProcess.get(id) ?? {};
  inProcess.set(id, state);
  const wanted: Set<string> | "all" = options.tables ? new Set(options.tables) : "all";
  const start = (tables: Set<string> | "all", coalesced: boolean): Promise<CrawlReport> => {
    const p = withObjectLock(options.store, lockBucket, lockKey, options.lock ?? {}, () =>
      crawlOnce({ ...options, tables: tables === "all" ? undefined : [...tables] }),
    ).then(({ result, waitedMs }) => ({ ...result, coalesced, waitedForLockMs: waitedMs }));
    state.running = p;
    const clear = () => {
      if (state.running === p) state.running = undefined;
      if (!state.running && !state.queued) inProcess.delete(id);
    };
    p.then(clear, clear);
    return p;
  };
  if (!state.running) return start(wanted, false);
  if (state.queued) {
    const q = state.queued;
    if (q.tables !== "all") {
      if (wanted === "all") q.tables = "all";
      else for (const t of wanted) q.tables.add(t);
    }
    return q.promise;
  }
  const queued: Pending = { tables: wanted, promise: undefined as unknown as Promise<CrawlReport> };
  const after = state.running.catch(() => undefined);
  queued.promise = after.then(() => {
    state.queued = undefined;
    return start(queued.tables, true);
  });
  state.queued = queued;
  return queued.promise;
}

/** One crawl, without coalescing or locking. */
export async function crawlOnce(options: CrawlOptions): Promise<Omit<CrawlReport, "waitedForLockMs">> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const { store, layout, catalog } = options;
  const log = new TableLog({ store, layout });
  const readColumns = options.parquetColumns ?? duckdbParquetColumns;
  const defs = (options.definitions ?? lakeTables).filter(
    (t) => !options.tables || options.tables.includes(`${t.zone}.${t.name}`),
  );
  if (options.tables)
    for (const name of options.tables)
      if (!defs.some((t) => `${t.zone}.${t.name}` === name)) throw new Error(`crawl: no lake table ${name}`);
  const reports: TableCrawlReport[] = [];
  const drift: DriftFinding[] = [];
  const databases = new Set<string>();
  for (const t of defs) {
    const zone = t.zone as LakeZone;
    const snapshot = await log.current(zone, t.name);
    if (!snapshot) continue;
    if (!databases.has(zone)) {
      await catalog.ensureDatabase(zone, `hotels lake zone ${zone}`);
      databases.add(zone);
    }
    const r = await crawlTable(t, zone, snapshot, { store, layout, catalog, log, readColumns });
    reports.push(r.report);
    drift.push(...r.drift);
  }
  return {
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    coalesced: false,
    tables: reports,
    partitionsAdded: reports.reduce((n, r) => n + r.partitionsAdded, 0),
    partitionsUpdated: reports.reduce((n, r) => n + r.partitionsUpdated, 0),
    partitionsRemoved: reports.reduce((n, r) => n + r.partitionsRemoved, 0),
    manifestsWritten: reports.reduce((n, r) => n + r.manifests.written, 0),
    drift,
  };
}

interface TableContext {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly catalog: Catalog;
  readonly log: TableLog;
  readonly readColumns: ParquetColumnsReader;
}

async function crawlTable(t: TableDef, zone: LakeZone, snapshot: Snapshot, ctx: TableContext) {
  const name = `${zone}.${t.name}`;
  const bucket = ctx.layout.bucket(zone);
  const expected = glueTypesByName(t);
  const partitionNames = (t.partitionKeys ?? []).map((c) => c.name);
  // Manifest zones are read through manifests of the snapshot; the others (predictions, which Athena INSERT
  // INTO writes on AWS) as Parquet at their Hive folders.
  const symlink = usesSymlinkManifests(t);
  const partitionLocation = (p: Readonly<Record<string, string>>) =>
    ctx.layout.uri(
      zone,
      symlink
        ? manifestFolder(t.name, p, partitionNames)
        : `${dataPrefix(t.name)}${partitionPath(p, partitionNames)}`,
    );
  const drift: DriftFinding[] = [];
  const existing = await ctx.catalog.getTable(zone, t.name);

  // 1. The catalog's definition against the schema (e.g. an AWS Glue crawler that re-typed a column).
  if (existing)
    for (const c of [...existing.StorageDescriptor.Columns, ...existing.PartitionKeys]) {
      const want = expected[c.Name];
      if (want === undefined)
        drift.push({
          table: name,
          column: c.Name,
          kind: "unknown-column",
          found: c.Type,
          source: "catalog",
          files: [],
        });
      else if (want !== c.Type)
        drift.push({
          table: name,
          column: c.Name,
          kind: "type-changed",
          expected: want,
          found: c.Type,
          source: "catalog",
          files: [],
        });
    }

  // 2. The manifests first: the table and partitions below point at them, so they exist before a catalog
  // made before manifests (Hive folders) is re-pointed.
  const published = symlink
    ? await publishManifests({
        store: ctx.store,
        layout: ctx.layout,
        zone,
        table: t.name,
        partitionNames,
        snapshot,
      })
    : undefined;

  // 3. The table definition is always the schema's: drifted types are reported, never adopted.
  const input = {
    ...glueTableInput(t, ctx.layout.uri(zone, dataPrefix(t.name))),
  } as GlueTableInput;
  (input as { Parameters: Record<string, string> }).Parameters = {
    ...input.Parameters,
    [CRAWL_PARAMS.version]: String(snapshot.version),
    [CRAWL_PARAMS.rows]: String(snapshot.rows),
    [CRAWL_PARAMS.schemaHash]: snapshot.schemaHash,
    [CRAWL_PARAMS.committedAt]: snapshot.committedAt,
  };
  const action = !existing ? "created" : sameDefinition(existing, input) ? "unchanged" : "updated";
  if (action !== "unchanged") await ctx.catalog.putTable(zone, input);

  // 4. Partitions of the snapshot's files.
  const byPartition = new Map<string, { values: string[]; location: string; files: DataFile[] }>();
  const skipped = new Map<string, { values: string[]; reason: string }>();
  // A file with no value for a partition key: its partition is unknown, so none may be presumed gone.
  let unplaced = false;
  // Partitions are the union of the base files' and the delta files' (a delta file lists the partition
  // values of its rows); a partition only a delta file reaches is registered at its manifest folder, which
  // holds no manifest until a compaction writes base files there (see README, "Merge-on-read").
  if (partitionNames.length > 0)
    for (const f of snapshot.files)
      for (const p of isDelta(f) ? (f.partitions ?? []) : [f.partition ?? parsePartition(f.key)]) {
        const missing = partitionNames.filter((k) => p[k] === undefined);
        const values = partitionNames.map((k) => p[k] ?? "");
        const id = JSON.stringify(values);
        if (missing.length > 0) {
          unplaced = true;
          skipped.set(id, {
            values,
            reason: `${f.key}: no value for partition key(s) ${missing.join(", ")}`,
          });
          continue;
        }
        let e = byPartition.get(id);
        if (!e) {
          e = { values, location: partitionLocation(p), files: [] };
          byPartition.set(id, e);
        }
        e.files.push(f);
      }
  const catalogPartitions = partitionNames.length > 0 ? await ctx.catalog.getPartitions(zone, t.name) : [];
  const registered = new Set(catalogPartitions.map((p) => JSON.stringify(p.Values)));

  // 5. Files to inspect: those new since the last crawled version, plus every file of a partition not yet
  // in the catalog (so a withheld partition is re-checked, and reported, on every crawl).
  const lastVersion = Number(existing?.Parameters?.[CRAWL_PARAMS.version as never] ?? 0);
  const seen = new Set(
    lastVersion > 0 && lastVersion <= snapshot.version
      ? ((await ctx.log.snapshot(zone, t.name, lastVersion))?.files.map((f) => f.key) ?? [])
      : [],
  );
  const inspect = new Set(snapshot.files.filter((f) => !seen.has(f.key)).map((f) => f.key));
  for (const [id, e] of byPartition) if (!registered.has(id)) for (const f of e.files) inspect.add(f.key);
  const columns = await ctx.readColumns(ctx.store, bucket, [...inspect]);
  const badFiles = new Map<string, string>();
  const found = new Map<string, DriftFinding & { files: string[] }>();
  const note = (d: Omit<DriftFinding, "files" | "table" | "source">, file: string) => {
    const k = JSON.stringify([d.column, d.kind, d.expected, d.found]);
    let x = found.get(k);
    if (!x) {
      x = { table: name, source: "files", ...d, files: [] };
      found.set(k, x);
    }
    x.files.push(file);
  };
  for (const [key, cols] of columns) {
    if (cols instanceof Error) {
      note({ column: "*", kind: "unreadable", found: cols.message.split("\n")[0] }, key);
      badFiles.set(key, `unreadable Parquet: ${cols.message.split("\n")[0]}`);
      continue;
    }
    const have = new Set<string>();
    for (const c of cols) {
      have.add(c.name);
      const want = expected[c.name];
      if (want === undefined) note({ column: c.name, kind: "unknown-column", found: c.type }, key);
      else if (want !== c.type) {
        note({ column: c.name, kind: "type-changed", expected: want, found: c.type }, key);
        badFiles.set(key, `column ${c.name} is ${c.type}, the schema says ${want}`);
      }
    }
    for (const c of t.columns)
      if (!have.has(c.name))
        note({ column: c.name, kind: "missing-column", expected: expected[c.name] }, key);
  }
  drift.push(...found.values());

  // 6. Register new partitions, withholding those with a drifted or unreadable file; re-point registered
  // ones not at their location or not in the table's input format (made before manifests; or a Parquet
  // table an earlier crawl put at manifest folders).
  const toAdd: PartitionInput[] = [];
  for (const [id, e] of byPartition) {
    if (registered.has(id)) continue;
    const bad = e.files.find((f) => badFiles.has(f.key));
    if (bad) skipped.set(id, { values: e.values, reason: `${bad.key}: ${badFiles.get(bad.key)}` });
    else toAdd.push({ Values: e.values, StorageDescriptor: { Location: e.location } });
  }
  const partitionsAdded = toAdd.length > 0 ? await ctx.catalog.addPartitions(zone, t.name, toAdd) : 0;
  const toUpdate: PartitionInput[] = catalogPartitions
    .filter((p) => {
      const e = byPartition.get(JSON.stringify(p.Values));
      const format = p.StorageDescriptor.InputFormat;
      return (
        e !== undefined &&
        (p.StorageDescriptor.Location !== e.location ||
          (format !== undefined && format !== input.StorageDescriptor.InputFormat))
      );
    })
    .map((p) => ({
      Values: p.Values,
      StorageDescriptor: { Location: byPartition.get(JSON.stringify(p.Values))!.location },
    }));
  const partitionsUpdated =
    toUpdate.length > 0 ? await ctx.catalog.updatePartitions(zone, t.name, toUpdate) : 0;

  // 7. Remove catalog partitions the snapshot no longer reaches (a full rebuild with fewer partitions, a
  // compaction that emptied one, bookings that moved month): their manifest is gone, so Athena would read
  // them as empty. Only from the snapshot just read: a table whose snapshot could not be read never gets
  // here.
  const gone = catalogPartitions.map((p) => p.Values).filter((v) => !byPartition.has(JSON.stringify(v)));
  const partitionsRemoved =
    gone.length > 0 && !unplaced ? await ctx.catalog.deletePartitions(zone, t.name, gone) : 0;

  // 8. A Parquet table an earlier crawl published as manifests: the catalog no longer points there (3, 6),
  // so its manifests go, and with them their hold on vacuum.
  const manifests = published ?? {
    version: 0,
    written: 0,
    deleted: await unpublishManifests(ctx.store, bucket, t.name),
  };
  return {
    drift,
    report: {
      table: name,
      version: snapshot.version,
      rows: snapshot.rows,
      files: snapshot.files.length,
      action,
      partitionsAdded,
      partitionsUpdated,
      partitionsRemoved,
      // Every `gone` partition is absent now, including any deleted meanwhile by someone else.
      partitions: catalogPartitions.length + partitionsAdded - (unplaced ? 0 : gone.length),
      stalePartitions: unplaced ? gone.length : 0,
      filesInspected: columns.size,
      skippedPartitions: [...skipped.values()],
      manifests,
    } satisfies TableCrawlReport,
  };
}

/** Whether the catalog already holds exactly this definition (avoids a new Glue table version per crawl). */
function sameDefinition(existing: CatalogTable, input: GlueTableInput): boolean {
  const { DatabaseName: _d, UpdateTime: _u, ...rest } = existing;
  return canonical(rest) === canonical(input);
}
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}
