import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  baseFiles,
  type DataFile,
  deltaFiles,
  type LakeLayout,
  mergeOnReadSql,
  newestDeltaSql,
  newRunId,
  nextLayer,
  type ObjectStore,
  partitionPath,
  type Snapshot,
  type SnapshotOperation,
  TableLog,
  type Watermark,
} from "@hotels/lake";
import {
  allColumns,
  etlRejects,
  type LakeZone,
  processedTables,
  quoteIdent,
  schemaHash,
  type TableDef,
} from "@hotels/schema";
import type { SqlSource } from "@hotels/source";
import {
  type ExtractJob,
  type Job,
  type LoadJob,
  loadJobs,
  selectJobs,
  type TransformJob,
} from "../jobs/index.ts";
import { sqlType } from "../sql/portable.ts";
import { relation, transformSql } from "../sql/transform-sql.ts";
import type { EtlProgress, EtlSummary, StepSummary } from "../summary.ts";
import { Engine, parquetScan, q } from "./engine.ts";
import { deltaLayerScans, filePaths, snapshotFiles, snapshotScan, tableScan } from "./relations.ts";
import { copyToFiles } from "./source-copy.ts";
import { fileGroup, type Placement, stagingKey, writeDelta, writeFiles } from "./writer.ts";

export interface LocalEtlPorts {
  readonly source: SqlSource;
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
}

export interface LocalEtlOptions {
  /** Full refresh: extract everything, rebuild processed and curated. Default false (incremental). */
  readonly full?: boolean;
  /** Jobs to run (step, job or table names, see `selectJobs`). Default all. */
  readonly jobs?: readonly string[];
  /** Default `newRunId()`. */
  readonly runId?: string;
  readonly onProgress?: (p: EtlProgress) => void;
  /** Scratch folder for extracted COPY text and DuckDB spill files. Default the OS temp folder. */
  readonly tempDir?: string;
  /** DuckDB memory limit, e.g. `1GB`. Default DuckDB's (80% of RAM). */
  readonly memoryLimit?: string;
  /** Fold the delta of every merge-on-read table the selected jobs maintain into its base files, even
   * when nothing changed (`hotels etl --compact`). Default false. */
  readonly compact?: boolean;
  /** A merge-on-read table is compacted when its delta layers would hold more rows than this fraction of
   * its base rows. Default `DEFAULT_COMPACT_FRACTION` (0.25). */
  readonly compactFraction?: number;
  /** Most delta layers a merge-on-read table keeps: a merge that would add one more writes one layer
   * holding them all instead. Default `DEFAULT_MAX_DELTA_LAYERS` (32). */
  readonly maxDeltaLayers?: number;
  /** `close` (default): the run's DuckDB instance is closed before `runLocalEtl` returns. `exit`: its
   * connection is, and the instance's memory is left to the process's exit — for a command that exits
   * right after (freeing ~30 temp tables took 25–35 ms of a 1% incremental run). */
  readonly releaseEngine?: "close" | "exit";
}

/** Default of `compactFraction`. Readers pay for a delta mostly by having one (the anti-join): a whole-table
 * aggregate of hotel_daily (531k rows) took 16 ms without a delta, 34 ms with 10%, 43 ms with 25%, 60 ms
 * with 50% (4 layers). Its writer compacts when 1% of bookings change reach 5.5% of the hotel-days: every
 * other run at 10% (+0.45 s each), every fifth at 25%. */
export const DEFAULT_COMPACT_FRACTION = 0.25;

/** A table whose commits only added files is vacuumed when its version is a multiple of this. */
const VACUUM_EVERY = 10;

/** Default of `maxDeltaLayers`: a safety valve (each layer is one more file every reader opens). At 1% of
 * the rows per run the 25% compaction comes first; collapsing costs a copy of every layer (8 layers of 10k
 * bookings: +1.3 s for that run), reading 24 layers costs ~4× reading 2 (`newestDeltaSql`). */
export const DEFAULT_MAX_DELTA_LAYERS = 32;

/** What a keyed merge produced: the files to commit with `operation`, the files it wrote, and how. */
interface Merged {
  readonly commitFiles: readonly DataFile[];
  readonly commitOperation: SnapshotOperation;
  readonly written: readonly DataFile[];
  /** `overwrite` (full build), `delta` (merge-on-read), `compact` (delta folded into the base). */
  readonly operation: "overwrite" | "delta" | "compact";
  readonly key: readonly string[];
}

/** Where each lake table's files go (see `Placement`). */
export function placementOf(t: TableDef): Placement {
  if (t.partitionKeys?.length) return { kind: "hive", keys: t.partitionKeys.map((c) => c.name) };
  // processed.bookings was bucketed by arrival month so copy-on-write merges rewrote only the months they
  // reached; merges are merge-on-read now, only compaction rewrites, and one file writes in 0.43 s where
  // DuckDB's PARTITION_BY into 36 buckets took 1.0 s (1M bookings): one file set.
  return { kind: "single" };
}

const TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ";
const WATERMARK = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const hash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);
const wmRecord = (w: Watermark | undefined): Readonly<Record<string, string>> =>
  typeof w === "object" ? w : {};

class Run {
  readonly log: TableLog;
  readonly steps: StepSummary[] = [];
  /** Tables this run committed (`<zone>.<table>`): their last version, and whether a commit of theirs
   * replaced files (which vacuum then removes). */
  readonly committed = new Map<string, { replaced: boolean; version: number }>();
  /** Per table (`<zone>.<table>`): what its last delta merge replaced, for dependants (see `Superseded`). */
  readonly superseded = new Map<string, Superseded>();
  private pending?: {
    readonly id: string;
    readonly from: number;
    readonly rows: Omit<Superseded, "from" | "to">;
  };
  private tmp = "";

  constructor(
    readonly ports: LocalEtlPorts,
    readonly engine: Engine,
    readonly runId: string,
    readonly full: boolean,
    readonly options: LocalEtlOptions,
  ) {
    this.log = new TableLog({ store: ports.store, layout: ports.layout });
  }

  async scratch(): Promise<string> {
    this.tmp ||= await mkdtemp(path.join(this.options.tempDir ?? tmpdir(), "hotels-etl-"));
    return this.tmp;
  }

  async cleanup() {
    if (this.tmp) await rm(this.tmp, { recursive: true, force: true });
    for (const zone of ["raw", "processed", "curated", "rejected"] as const) {
      const dir = this.ports.store.localPath!(this.ports.layout.bucket(zone), stagingKey(this.runId));
      await rm(dir, { recursive: true, force: true });
    }
  }

  current(zone: LakeZone, table: string) {
    return this.log.current(zone, table);
  }

  /** The live rows of a committed snapshot (merge-on-read applied). */
  scan(table: TableDef, s: Snapshot | undefined) {
    return snapshotScan(this.ports.store, this.ports.layout, table, s, placementOf(table));
  }

  write(table: TableDef, sql: string) {
    return writeFiles(
      { engine: this.engine, store: this.ports.store, layout: this.ports.layout, runId: this.runId },
      table.zone as LakeZone,
      table,
      placementOf(table),
      sql,
    );
  }

  async commit(
    table: TableDef,
    files: readonly DataFile[],
    operation: SnapshotOperation,
    watermark: Watermark | undefined,
    expectedVersion: number,
    key?: readonly string[],
    sameRowsAs?: number,
  ) {
    const s = await this.log.commit(table.zone as LakeZone, table.name, {
      runId: this.runId,
      files,
      schemaHash: schemaHash(table),
      operation,
      expectedVersion,
      ...(watermark !== undefined ? { watermark } : {}),
      ...(key ? { key } : {}),
      ...(sameRowsAs !== undefined ? { sameRowsAs } : {}),
    });
    const id = `${table.zone}.${table.name}`;
    const replaced = (this.committed.get(id)?.replaced ?? false) || s.removed > 0;
    this.committed.set(id, { replaced, version: s.version });
    const pending = this.pending;
    this.pending = undefined;
    this.superseded.delete(id);
    if (pending?.id === id && pending.from === expectedVersion)
      this.superseded.set(id, { ...pending.rows, from: pending.from, to: s.version });
    return s;
  }

  /** Binds the `processed_<t>` views among `names` to the current processed snapshots. With `narrow`, to
   * the rows whose key (the table's primary key) a column of the same name in `narrow.relation` holds: an
   * incremental run judges a few thousand new bookings against 800k customers, and restricted to the
   * customers those rows name the `NOT IN` rule hashes a few thousand rows instead (transform.bookings
   * rejects 51 → 26 ms for 10k bookings). The job SQL reads only those rows, so its result is the same. */
  async bindProcessed(
    names: readonly string[],
    narrow?: { readonly relation: string; readonly columns: readonly string[] },
  ) {
    for (const t of processedTables) {
      const name = `processed_${t.name}`;
      if (!names.includes(name)) continue;
      const key = t.primaryKey.length === 1 ? t.primaryKey[0]! : undefined;
      const id = key && narrow?.columns.includes(key) ? quoteIdent(key) : undefined;
      if (narrow && !id) continue;
      await this.engine.run(
        `CREATE OR REPLACE TEMP VIEW ${name} AS SELECT * FROM ${this.scan(t, await this.current("processed", t.name))}${id ? ` WHERE ${id} IN (SELECT ${id} FROM ${narrow!.relation})` : ""}`,
      );
    }
  }

  /** Merge by key of `changes` (a relation with the target's columns, unique by key; none: compaction
   * only) into the committed table, merge-on-read: `changes` is written as ONE delta file, a new layer on
   * top of the table's files, which all stay (a run writes only its own changes). When the delta layers
   * would then hold more rows than `compactFraction` of the base rows (or on `--compact`), every layer and
   * `changes` are folded into the base instead (copy-on-write of the partitions they reach); past
   * `maxDeltaLayers` layers, the layers and `changes` become one layer. A full run or an empty table writes
   * the base from `changes`. */
  async merge(
    target: TableDef,
    keyColumns: string | readonly string[],
    changes: string | undefined,
    existing: Snapshot | undefined,
  ) {
    const key = typeof keyColumns === "string" ? [keyColumns] : [...keyColumns];
    const names = allColumns(target).map((c) => c.name);
    const cols = names.map(quoteIdent).join(", ");
    const current = snapshotFiles(existing);
    const base = baseFiles(current);
    if (this.full || !base.length) {
      if (!changes) throw new Error(`${target.name}: nothing to merge`);
      const files = await this.write(target, `SELECT ${cols}${this.bucketExpr(target)} FROM ${changes}`);
      return {
        commitFiles: files,
        commitOperation: "overwrite",
        written: files,
        operation: "overwrite",
        key,
      } satisfies Merged;
    }
    const { store, layout } = this.ports;
    const layers = deltaLayerScans(store, layout, target, current);
    const all = changes ? [...layers, changes] : layers;
    const changeRows = changes
      ? Number(await this.engine.scalar<bigint>(`SELECT count(*) FROM ${changes}`))
      : 0;
    // Rows in every layer, a key counted once per layer that holds it: an upper bound of the delta's keys,
    // known without reading it.
    const deltaRows = deltaFiles(current).reduce((n, f) => n + f.rows, 0) + changeRows;
    const baseRows = base.reduce((n, f) => n + f.rows, 0);
    const fraction = this.options.compactFraction ?? DEFAULT_COMPACT_FRACTION;
    // Dependants that diff this table learn what `changes` replaced from the merge itself, whether it
    // adds a layer, collapses the layers or compacts: rewriting older layers' rows changes none of them.
    const captured = changes ? dependantColumns(target) : undefined;
    const capture = (cols: readonly string[]) =>
      this.captureSuperseded(target, key, changes!, base, layers, cols, existing!.version);
    if (this.options.compact || deltaRows > fraction * baseRows) {
      if (!all.length) throw new Error(`${target.name}: nothing to merge`);
      if (captured) await capture(captured);
      await this.engine.run(
        `CREATE OR REPLACE TEMP TABLE etl_next_delta AS ${newestDeltaSql(all, key, names)}`,
      );
      const folded = await this.rewrite(target, key, "etl_next_delta", base);
      return { ...folded, commitOperation: "overwrite", operation: "compact", key } satisfies Merged;
    }
    if (!changes) throw new Error(`${target.name}: nothing to merge`);
    // Past the layer limit, one layer replaces them all (readers open one file per layer).
    const collapse = layers.length + 1 > (this.options.maxDeltaLayers ?? DEFAULT_MAX_DELTA_LAYERS);
    let layer = changes;
    if (collapse) {
      await this.engine.run(
        `CREATE OR REPLACE TEMP TABLE etl_next_delta AS ${newestDeltaSql(all, key, names)}`,
      );
      layer = "etl_next_delta";
    }
    // Live rows the new layer supersedes: its keys found in the base or in a layer it lies on (a collapsed
    // layer lies on the base alone).
    const replaced = captured ? await capture(captured) : undefined;
    const supersedes =
      replaced !== undefined && !collapse
        ? replaced
        : await this.countSuperseded(key, layer, base, collapse ? [] : layers, target);
    const partitionKeys = (target.partitionKeys ?? []).map((c) => c.name);
    const partitions = partitionKeys.length
      ? (
          await this.engine.rows<Record<string, unknown>>(
            `SELECT DISTINCT ${partitionKeys.map(quoteIdent).join(", ")} FROM ${layer} ORDER BY ALL`,
          )
        ).map((r) => Object.fromEntries(partitionKeys.map((k) => [k, String(r[k])])))
      : undefined;
    const file = await writeDelta(
      { engine: this.engine, store, layout, runId: this.runId },
      target.zone as LakeZone,
      target,
      `SELECT ${cols} FROM ${layer}`,
    );
    const delta: DataFile[] = file
      ? [
          {
            ...file,
            supersedes,
            layer: collapse ? 1 : nextLayer(current),
            ...(partitions ? { partitions } : {}),
          },
        ]
      : [];
    return {
      commitFiles: collapse ? [...base, ...delta] : delta,
      commitOperation: collapse ? "overwrite" : "delta",
      written: delta,
      operation: "delta",
      key,
    } satisfies Merged;
  }

  /** How many live rows (base rows, and older layers' rows) hold a key of `layer`. SEMI JOINs on the
   * layer's key columns: a correlated EXISTS over a layer that is a view (the transform's accepted rows:
   * clean rows anti-joined with rejects) was planned as a delim join, 7× slower. */
  private async countSuperseded(
    key: readonly string[],
    layer: string,
    base: readonly DataFile[],
    below: readonly string[],
    target: TableDef,
  ) {
    const basePaths = filePaths(this.ports.store, this.ports.layout, target.zone as LakeZone, base);
    const inBase = semiJoinKeys(key, parquetScan(basePaths), "b", layer);
    const inLayers = below.map((l) => semiJoinKeys(key, l, "d", layer));
    return Number(
      await this.engine.scalar<bigint>(
        inLayers.length
          ? `SELECT count(*) FROM (${[inBase, ...inLayers].join(" UNION ")})`
          : `SELECT count(*) FROM (${inBase})`,
      ),
    );
  }

  /** `countSuperseded` for a table that dependants diff (`dependantColumns`): the superseded rows
   * themselves are kept (the columns the dependants read), beside the layer's, so that a dependant finds
   * the old and new versions of what this merge changed without reading the base again (`changedRows`;
   * 1% of 1M bookings: the base lookups of load.customers and load.hotel_daily). Registered by `commit`. */
  private async captureSuperseded(
    target: TableDef,
    key: readonly string[],
    layer: string,
    base: readonly DataFile[],
    below: readonly string[],
    columns: readonly string[],
    from: number,
  ) {
    const { store, layout } = this.ports;
    const t = (part: string) => `etl_${target.zone}_${target.name}_${part}`;
    const cols = columns.map(quoteIdent).join(", ");
    const keyCols = key.map(quoteIdent).join(", ");
    const scan = tableScan(store, layout, target, base, placementOf(target));
    await this.engine.run(
      `CREATE OR REPLACE TEMP TABLE ${t("superseded")} AS SELECT ${columns.map((c) => `b.${quoteIdent(c)}`).join(", ")} FROM ${scan} b SEMI JOIN (SELECT ${keyCols} FROM ${layer}) etl_k ON ${keyMatch(key, "b", "etl_k")}`,
    );
    if (below.length) {
      // Older layers hold newer versions of some of those keys, and keys the base lacks.
      const typed = below.map((l) => `(SELECT ${cols} FROM ${l})`);
      await this.engine.run(
        `CREATE OR REPLACE TEMP TABLE ${t("superseded")} AS SELECT m.* FROM (${mergeOnReadSql({ base: t("superseded"), delta: typed, key, columns })}) m SEMI JOIN (SELECT ${keyCols} FROM ${layer}) etl_k ON ${keyMatch(key, "m", "etl_k")}`,
      );
    }
    // Typed as the table's scans are, so that the dependant's EXCEPT compares like with like.
    const typeOf = new Map(allColumns(target).map((c) => [c.name, sqlType(c.type)]));
    const typed = columns.map((c) => `CAST(${quoteIdent(c)} AS ${typeOf.get(c)}) AS ${quoteIdent(c)}`);
    await this.engine.run(
      `CREATE OR REPLACE TEMP TABLE ${t("layer")} AS SELECT ${typed.join(", ")} FROM ${layer}`,
    );
    this.pending = {
      id: `${target.zone}.${target.name}`,
      from,
      rows: { old: t("superseded"), new: t("layer"), columns },
    };
    return Number(await this.engine.scalar<bigint>(`SELECT count(*) FROM ${t("superseded")}`));
  }

  private bucketExpr(target: TableDef) {
    return placementOf(target).kind === "bucketed" ? `, ${transformJobFor(target).bucket} AS etl_bucket` : "";
  }

  /** Copy-on-write merge by key: rewrites only the base buckets/partitions that hold a key of `delta` (a
   * relation with the target's columns) or receive one. Returns the complete new file set. */
  private async rewrite(
    target: TableDef,
    key: readonly string[],
    delta: string,
    current: readonly DataFile[],
  ) {
    const placement = placementOf(target);
    const cols = allColumns(target).map((c) => quoteIdent(c.name));
    const bucketExpr = this.bucketExpr(target);
    const paths = filePaths(this.ports.store, this.ports.layout, target.zone as LakeZone, current);
    const byPath = new Map(paths.map((p, i) => [p, current[i]!]));
    const groups = new Set<string>();
    // Groups receiving delta rows...
    const probe = `SELECT ${cols.join(", ")}${bucketExpr} FROM ${delta}`;
    const newGroups = await this.engine.rows<Record<string, unknown>>(
      placement.kind === "hive"
        ? `SELECT DISTINCT ${placement.keys.join(", ")} FROM (${probe})`
        : placement.kind === "bucketed"
          ? `SELECT DISTINCT etl_bucket FROM (${probe})`
          : "SELECT 'all' AS g",
    );
    for (const g of newGroups) {
      if (placement.kind === "hive")
        groups.add(placement.keys.map((k) => `${k}=${encodeURIComponent(String(g[k]))}/`).join(""));
      else groups.add(String(Object.values(g)[0]));
    }
    // ...and groups holding an older version of a delta key.
    const holders = await this.engine.rows<{ filename: string }>(
      `SELECT DISTINCT filename FROM ${parquetScan(paths, { filename: true })} b WHERE ${inKeys(key, "b", delta)}`,
    );
    for (const h of holders) {
      const f = byPath.get(h.filename);
      if (f) groups.add(fileGroup(f, placement));
    }
    const affected = current.filter((f) => groups.has(fileGroup(f, placement)));
    const kept = current.filter((f) => !groups.has(fileGroup(f, placement)));
    const old = tableScan(this.ports.store, this.ports.layout, target, affected, placement);
    const written = await this.write(
      target,
      `SELECT ${cols.join(", ")}${bucketExpr} FROM ${old} o WHERE NOT ${inKeys(key, "o", delta)}
       UNION ALL SELECT ${cols.join(", ")}${bucketExpr} FROM ${delta}`,
    );
    return { commitFiles: [...kept, ...written], written };
  }

  record(s: StepSummary) {
    this.steps.push(s);
    this.options.onProgress?.({ job: s.job, phase: "done", step: s });
  }
}

/** `a.k1 = b.k1 AND …` over the key columns. */
function keyMatch(key: readonly string[], a: string, b: string): string {
  return key.map((k) => `${a}.${quoteIdent(k)} = ${b}.${quoteIdent(k)}`).join(" AND ");
}

/** The key columns of the rows of `rel` (aliased `alias`) whose key `layer` holds. */
function semiJoinKeys(key: readonly string[], rel: string, alias: string, layer: string): string {
  const cols = key.map(quoteIdent).join(", ");
  return `SELECT ${key.map((k) => `${alias}.${quoteIdent(k)}`).join(", ")} FROM ${rel} ${alias} SEMI JOIN (SELECT ${cols} FROM ${layer}) etl_k ON ${keyMatch(key, alias, "etl_k")}`;
}

/** What a delta merge of a table replaced, kept for the dependants that diff it (`changedRows`): temp
 * tables with the live rows it superseded (`old`) and the rows of its layer (`new`), in `columns`, between
 * versions `from` and `to` of the table. */
interface Superseded {
  readonly from: number;
  readonly to: number;
  readonly old: string;
  readonly new: string;
  readonly columns: readonly string[];
}

/** The columns dependants read of a table's changed rows (its key first): the links of keyed rebuilds and
 * the reads of aggregates over it. Undefined when no job diffs the table. */
function dependantColumns(t: TableDef): string[] | undefined {
  const cols = new Set<string>();
  for (const j of loadJobs) {
    if (j.mode.kind === "rebuild" && j.mode.keyed) {
      const link = j.mode.keyed.links[`${t.zone}_${t.name}`];
      if (link?.reads) for (const c of [link.column, ...link.reads]) cols.add(c);
    } else if (j.mode.kind === "aggregate" && j.mode.source.zone === t.zone && j.mode.source.name === t.name)
      for (const c of j.mode.reads) cols.add(c);
  }
  if (!cols.size || t.primaryKey.length !== 1) return undefined;
  return [...new Set([t.primaryKey[0]!, ...cols])];
}

/** `EXISTS` a row of `relation` with the same key column(s) as the row aliased `alias`. */
function inKeys(key: readonly string[], alias: string, relation: string): string {
  return `EXISTS (SELECT 1 FROM ${relation} etl_k WHERE ${keyMatch(key, "etl_k", alias)})`;
}

function transformJobFor(t: TableDef): TransformJob {
  const j = selectJobs([`transform.${t.name}`])[0];
  if (j?.kind !== "transform") throw new Error(`no transform job for ${t.name}`);
  return j;
}

const bytesOf = (files: readonly DataFile[]) => files.reduce((n, f) => n + f.bytes, 0);

/** COPY text column → typed DuckDB expression: `\`-escapes undone on strings, timestamps read as
 * instants (COPY writes an offset) and kept as UTC TIMESTAMP. */
function fromCopyText(t: TableDef): string {
  return t.columns
    .map((c) => {
      const id = quoteIdent(c.name);
      if (c.type.kind === "timestamp") return `CAST(${id} AS TIMESTAMP) AS ${id}`;
      if (c.type.kind !== "string") return id;
      const unescaped = `replace(replace(replace(replace(replace(${id}, '\\\\', chr(1)), '\\t', chr(9)), '\\n', chr(10)), '\\r', chr(13)), chr(1), '\\')`;
      return `CASE WHEN contains(${id}, '\\') THEN ${unescaped} ELSE ${id} END AS ${id}`;
    })
    .join(", ");
}

const readCsvColumns = (t: TableDef) =>
  `{${t.columns.map((c) => `'${c.name}': '${c.type.kind === "timestamp" ? "TIMESTAMPTZ" : sqlType(c.type).toUpperCase()}'`).join(", ")}}`;

async function extract(run: Run, job: ExtractJob): Promise<StepSummary> {
  const t0 = performance.now();
  const target = job.target;
  const snap = await run.current("raw", target.name);
  const wm = run.full ? undefined : typeof snap?.watermark === "string" ? snap.watermark : undefined;
  const cols = job.source.columns.map((c) => quoteIdent(c.name)).join(", ");
  const version = quoteIdent(job.versionColumn);
  // The watermark is written into the statement, not bound: COPY takes no parameters, and a parameterised
  // cursor gets a generic plan that scans the whole table instead of the `updated_at` index (10k changed
  // bookings of 1M: 0.60 s → see README). It is our own strftime output, checked before use.
  if (wm && !WATERMARK.test(wm))
    throw new Error(`raw.${target.name}: malformed watermark ${JSON.stringify(wm)}`);
  // Bulk path: COPY text written to scratch files as the source sends it, then read by DuckDB's CSV reader
  // with the schema's types (faster than appending values one by one from JavaScript; see README.md).
  const { files, rows: lines } = await copyToFiles(
    run.ports.source,
    job.source.name,
    `SELECT ${cols} FROM ${quoteIdent(job.source.name)}`,
    wm ? `${version} > CAST('${wm}' AS timestamptz)` : undefined,
    await run.scratch(),
  );
  const removeFiles = () => Promise.all(files.map((f) => rm(f, { force: true })));
  const base = {
    job: job.name,
    step: "extract" as const,
    table: `raw.${target.name}`,
    rejected: 0,
    superseded: 0,
  };
  if (lines === 0) {
    await removeFiles();
    return {
      ...base,
      rowsIn: 0,
      rowsOut: 0,
      files: 0,
      bytes: 0,
      seconds: (performance.now() - t0) / 1000,
      skipped: "no change in the source",
    };
  }
  const read = `read_csv([${files.map(q).join(", ")}], delim = '\t', quote = '', escape = '', header = false, nullstr = '\\N', auto_detect = false, columns = ${readCsvColumns(target)})`;
  const written = await run.write(target, `SELECT ${fromCopyText(target)} FROM ${read}`);
  await removeFiles();
  const paths = filePaths(run.ports.store, run.ports.layout, "raw", written);
  const stats = await run.engine.rows<{ n: bigint; wm: string }>(
    `SELECT count(*) AS n, strftime(max(${version}), '${TS_FORMAT}') AS wm FROM ${parquetScan(paths)}`,
  );
  const rows = Number(stats[0]!.n);
  if (rows !== lines) throw new Error(`extract ${target.name}: ${lines} lines read but ${rows} rows written`);
  const s = await run.commit(
    target,
    written,
    run.full ? "overwrite" : "append",
    stats[0]!.wm,
    snap?.version ?? 0,
  );
  return {
    ...base,
    rowsIn: lines,
    rowsOut: rows,
    files: written.length,
    bytes: bytesOf(written),
    seconds: (performance.now() - t0) / 1000,
    version: s.version,
    operation: s.operation,
  };
}

async function transform(run: Run, job: TransformJob): Promise<StepSummary> {
  const t0 = performance.now();
  const e = run.engine;
  const name = job.target.name;
  const base = { job: job.name, step: "transform" as const, table: `processed.${name}` };
  const raw = await run.current("raw", name);
  const processed = await run.current("processed", name);
  const wm = run.full
    ? undefined
    : typeof processed?.watermark === "string"
      ? processed.watermark
      : undefined;
  const version = quoteIdent(job.versionColumn);
  // Raw's watermark is the greatest version extracted, processed's the greatest consumed (same format): when
  // raw is not past it there is nothing to read, and DuckDB is not asked (each untouched table, each run).
  const nothingNew = wm !== undefined && typeof raw?.watermark === "string" && raw.watermark <= wm;
  let input: { n: bigint; wm: string | null }[] = [{ n: 0n, wm: null }];
  if (!nothingNew) {
    await e.run(
      `CREATE OR REPLACE TEMP VIEW ${relation(job, "input")} AS SELECT * FROM ${run.scan(job.source, raw)}${wm ? ` WHERE ${version} > CAST(${q(wm)} AS TIMESTAMP)` : ""}`,
    );
    input = await e.rows<{ n: bigint; wm: string | null }>(
      `SELECT count(*) AS n, strftime(max(${version}), '${TS_FORMAT}') AS wm FROM ${relation(job, "input")}`,
    );
  }
  const rowsIn = Number(input[0]!.n);
  if (rowsIn === 0) {
    const folded = await compactOnly(run, job.target, job.key, processed);
    if (folded)
      return { ...base, ...folded, rejected: 0, superseded: 0, seconds: (performance.now() - t0) / 1000 };
    return {
      ...base,
      rowsIn: 0,
      rowsOut: 0,
      rejected: 0,
      superseded: 0,
      files: 0,
      bytes: 0,
      seconds: (performance.now() - t0) / 1000,
      skipped: "no new raw rows",
    };
  }
  await run.bindProcessed(job.reads);
  const sql = transformSql(job);
  // Only the cleaned rows and the (few) rejects are materialised; the rest stay views, so a full run
  // holds one copy of the table in memory, not four.
  // A raw table that is one extract (a full one, or the first), read whole, holds one row per key (the
  // source's primary key): the latest-version window over it would change nothing (full run, 1M
  // bookings: transform.bookings 2.1–2.9 → 1.8 s).
  const single = !wm && (raw?.operation === "overwrite" || raw?.version === 1);
  await e.run(
    `CREATE OR REPLACE TEMP VIEW ${relation(job, "latest")} AS ${single ? `SELECT * FROM ${relation(job, "input")}` : sql.latest}`,
  );
  await e.run(`CREATE OR REPLACE TEMP TABLE ${relation(job, "clean")} AS ${sql.clean}`);
  // Incremental: the referential rules need only the dimension rows the new rows name. (A full run reads
  // them all anyway: there, narrowing would only add a semi-join.)
  if (wm)
    await run.bindProcessed(job.reads, {
      relation: relation(job, "clean"),
      columns: job.target.columns.map((c) => c.name),
    });
  await e.run(`CREATE OR REPLACE TEMP TABLE ${relation(job, "rejects")} AS ${sql.rejects}`);
  await e.run(`CREATE OR REPLACE TEMP VIEW ${relation(job, "accepted")} AS ${sql.accepted}`);
  const latest = Number(await e.scalar<bigint>(`SELECT count(*) FROM ${relation(job, "clean")}`));
  const rejected = Number(
    await e.scalar<bigint>(`SELECT count(DISTINCT etl_key) FROM ${relation(job, "rejects")}`),
  );
  const accepted = Number(await e.scalar<bigint>(`SELECT count(*) FROM ${relation(job, "accepted")}`));

  // Rejects first, under a name fixed by the input range: a rerun after a crash rewrites the same file
  // and commits it once, so nothing is lost and nothing is doubled. A full refresh replaces the table's
  // earlier rejects (the same records are judged again), so the rejected zone still balances.
  const rejSnap = await run.current("rejected", etlRejects.name);
  const tag = `${name}-${hash(`${wm ?? `full:${raw?.version}`}|${input[0]!.wm}`)}`;
  const current = snapshotFiles(rejSnap);
  const done = current.some((f) => f.key.includes(`/${tag}-`));
  const stale = run.full
    ? current.filter((f) => f.key.startsWith(`${etlRejects.name}/${name}-`) && !f.key.includes(`/${tag}-`))
    : [];
  let rejectFiles: DataFile[] = [];
  if (rejected > 0 && !done) {
    const record = `to_json(struct_pack(${job.source.columns.map((c) => `${quoteIdent(c.name)} := l.${quoteIdent(c.name)}`).join(", ")}))`;
    rejectFiles = await writeFiles(
      { engine: e, store: run.ports.store, layout: run.ports.layout, runId: tag },
      "rejected",
      etlRejects,
      { kind: "single" },
      `SELECT ${q(run.runId)} AS run_id, ${q(name)} AS source_table, x.record_key, x.rule, x.field, x.value,
         CAST(${record} AS VARCHAR) AS record, CAST(now() AS TIMESTAMP) AS rejected_at
       FROM ${relation(job, "rejects")} x JOIN ${relation(job, "input")} l ON l.${quoteIdent(job.key)} = x.etl_key AND l.${version} = (SELECT max(i.${version}) FROM ${relation(job, "input")} i WHERE i.${quoteIdent(job.key)} = x.etl_key)
       ORDER BY x.record_key, x.rule`,
    );
  }
  if (rejectFiles.length || stale.length)
    await run.commit(
      etlRejects,
      [...current.filter((f) => !stale.includes(f)), ...rejectFiles],
      "overwrite",
      undefined,
      rejSnap?.version ?? 0,
    );
  const merged = await run.merge(job.target, job.key, relation(job, "accepted"), processed);
  const s = await run.commit(
    job.target,
    merged.commitFiles,
    merged.commitOperation,
    input[0]!.wm ?? undefined,
    processed?.version ?? 0,
    merged.key,
  );
  return {
    ...base,
    rowsIn,
    rowsOut: accepted,
    rejected,
    superseded: rowsIn - latest,
    files: merged.written.length,
    bytes: bytesOf(merged.written),
    seconds: (performance.now() - t0) / 1000,
    version: s.version,
    operation: merged.operation,
  };
}

/** A keyed rebuild's incremental input: for each input whose snapshot moved since `existing` was built,
 * the rows that changed (old and new versions) name keys of the target through the link column; the input
 * relations are re-bound to the rows of those keys. Returns how many keys, or undefined when an input
 * cannot say what changed (a compaction or full build in between): then the table is rebuilt whole. */
async function rebuildKeys(run: Run, job: LoadJob, existing: Snapshot): Promise<number | undefined> {
  if (job.mode.kind !== "rebuild" || !job.mode.keyed) return undefined;
  const e = run.engine;
  const prev = wmRecord(existing.watermark);
  const links = Object.entries(job.mode.keyed.links);
  const parts: string[] = [];
  // each input's current snapshot, read once: the changed keys come from it, then the re-bound relations
  const inputs = new Map<string, { table: TableDef; now: Snapshot | undefined }>();
  for (const [relation, link] of links) {
    const table = processedTables.find((t) => `processed_${t.name}` === relation);
    if (!table) return undefined;
    const now = await run.current("processed", table.name);
    inputs.set(relation, { table, now });
    const was = Number(prev[`processed.${table.name}`] ?? 0);
    if ((now?.version ?? 0) === was) continue;
    const before = was > 0 ? await run.log.snapshot("processed", table.name, was) : undefined;
    const reads = link.reads ? [link.column, ...link.reads] : undefined;
    const rows = before && now ? await changedRows(run, table, before, now, table.name, reads) : undefined;
    if (!rows) return undefined;
    const c = quoteIdent(link.column);
    parts.push(`SELECT ${c} AS etl_k FROM ${rows.old}`, `SELECT ${c} AS etl_k FROM ${rows.new}`);
  }
  if (!parts.length) return undefined;
  await e.run(
    `CREATE OR REPLACE TEMP TABLE etl_rebuild_keys AS SELECT etl_k FROM (${parts.join(" UNION ")}) WHERE etl_k IS NOT NULL`,
  );
  const n = Number(await e.scalar<bigint>("SELECT count(*) FROM etl_rebuild_keys"));
  if (n === 0) return 0;
  for (const [relation, link] of links) {
    const { table, now } = inputs.get(relation)!;
    await e.run(
      `CREATE OR REPLACE TEMP VIEW ${relation} AS SELECT * FROM ${run.scan(table, now)} WHERE ${quoteIdent(link.column)} IN (SELECT etl_k FROM etl_rebuild_keys)`,
    );
  }
  return n;
}

/** `--compact` on a merge-on-read table with nothing new: folds its delta into the base, keeping the
 * watermark. Undefined when there is no delta (or no `--compact`). */
async function compactOnly(run: Run, target: TableDef, key: string, existing: Snapshot | undefined) {
  if (!run.options.compact || !existing || !deltaFiles(existing.files).length) return undefined;
  const merged = await run.merge(target, key, undefined, existing);
  // Same rows as before: dependants diff against the previous version instead of recomputing.
  const s = await run.commit(
    target,
    merged.commitFiles,
    merged.commitOperation,
    existing.watermark,
    existing.version,
    merged.key,
    existing.sameRowsAs ?? existing.version,
  );
  return {
    rowsIn: 0,
    rowsOut: 0,
    files: merged.written.length,
    bytes: bytesOf(merged.written),
    version: s.version,
    operation: merged.operation,
  };
}

async function load(run: Run, job: LoadJob): Promise<StepSummary> {
  const t0 = performance.now();
  const e = run.engine;
  const target = job.target;
  const base = {
    job: job.name,
    step: "load" as const,
    table: `curated.${target.name}`,
    rejected: 0,
    superseded: 0,
  };
  const seconds = () => (performance.now() - t0) / 1000;
  const existing = await run.current("curated", target.name);
  const inputs = Object.fromEntries(
    await Promise.all(
      processedTables.map(async (t) => [t.name, await run.current("processed", t.name)] as const),
    ),
  );

  if (job.mode.kind === "rebuild") {
    const wm = Object.fromEntries(
      job.reads
        .map((r) => r.replace(/^processed_/, ""))
        .map((t) => [`processed.${t}`, String(inputs[t]?.version ?? 0)]),
    );
    if (!run.full && existing && JSON.stringify(existing.watermark) === JSON.stringify(wm))
      return {
        ...base,
        rowsIn: 0,
        rowsOut: 0,
        files: 0,
        bytes: 0,
        seconds: seconds(),
        skipped: "inputs unchanged",
      };
    // Bound only past that check: an untouched dimension costs no DuckDB statement.
    await run.bindProcessed(job.reads);
    const keyed = job.mode.keyed && !run.full && existing ? await rebuildKeys(run, job, existing) : undefined;
    if (keyed === 0 && existing && job.mode.keyed) {
      // The inputs moved, but no row the SQL reads changed: the same rows under the new input versions
      // (folded into the base on --compact).
      const folded =
        run.options.compact && deltaFiles(existing.files).length
          ? await run.merge(target, job.mode.keyed.key, undefined, existing)
          : undefined;
      const s = await run.commit(
        target,
        folded?.commitFiles ?? existing.files,
        folded?.commitOperation ?? "overwrite",
        wm,
        existing.version,
        existing.key,
        existing.sameRowsAs ?? existing.version,
      );
      return {
        ...base,
        rowsIn: 0,
        rowsOut: 0,
        files: folded?.written.length ?? 0,
        bytes: bytesOf(folded?.written ?? []),
        seconds: seconds(),
        version: s.version,
        operation: folded ? "compact" : "unchanged",
      };
    }
    if (keyed !== undefined && job.mode.keyed) {
      await e.run(`CREATE OR REPLACE TEMP TABLE etl_rebuilt AS ${job.sql}`);
      const merged = await run.merge(target, job.mode.keyed.key, "etl_rebuilt", existing);
      const s = await run.commit(
        target,
        merged.commitFiles,
        merged.commitOperation,
        wm,
        existing?.version ?? 0,
        merged.key,
      );
      return {
        ...base,
        rowsIn: keyed,
        rowsOut: Number(await e.scalar<bigint>("SELECT count(*) FROM etl_rebuilt")),
        files: merged.written.length,
        bytes: bytesOf(merged.written),
        seconds: seconds(),
        version: s.version,
        operation: merged.operation,
      };
    }
    const files = await run.write(target, job.sql);
    const s = await run.commit(target, files, "overwrite", wm, existing?.version ?? 0);
    const rows = files.reduce((n, f) => n + f.rows, 0);
    return {
      ...base,
      rowsIn: rows,
      rowsOut: rows,
      files: files.length,
      bytes: bytesOf(files),
      seconds: seconds(),
      version: s.version,
      operation: s.operation,
    };
  }

  if (job.mode.kind === "merge") {
    await run.bindProcessed(job.reads);
    const { key, versionColumn } = job.mode;
    const v = quoteIdent(versionColumn);
    const prev = run.full ? {} : wmRecord(existing?.watermark);
    const since = (t: string) => (prev[t] ? `${v} > CAST(${q(prev[t]!)} AS TIMESTAMP)` : "true");
    const incremental = !run.full && existing && prev.bookings;
    const processedBookings = run.scan(processedTables.find((t) => t.name === "bookings")!, inputs.bookings);
    // Each input's mark is its processed snapshot's watermark — the greatest raw version its transform
    // consumed: every later processed row is above it — rather than a max over its rows (1M bookings,
    // 800k customers: ~30 ms per run). A snapshot without one (none committed yet) is read.
    const mark = (t: string, scan: string) => {
      const consumed = inputs[t]?.watermark;
      return typeof consumed === "string"
        ? `CAST(${q(consumed)} AS VARCHAR)`
        : `(SELECT strftime(max(${v}), '${TS_FORMAT}') FROM ${scan})`;
    };
    const marks = await e.rows<Record<string, string | null>>(
      `SELECT ${mark("bookings", processedBookings)} AS bookings, ${mark("hotels", "processed_hotels")} AS hotels,
              ${mark("customers", "processed_customers")} AS customers`,
    );
    const wm = Object.fromEntries(Object.entries(marks[0]!).filter(([, x]) => x !== null)) as Record<
      string,
      string
    >;
    // A dimension clause only when that dimension moved: a lone `updated_at > …` filter is pushed into the
    // Parquet scan, an OR with a subquery makes it read every column of every booking.
    const moved = (t: string) => !prev[t] || (wm[t] ?? "") > prev[t]!;
    const filter = [
      since("bookings"),
      ...(moved("hotels")
        ? [`hotel_id IN (SELECT hotel_id FROM processed_hotels WHERE ${since("hotels")})`]
        : []),
      ...(moved("customers")
        ? [`customer_id IN (SELECT customer_id FROM processed_customers WHERE ${since("customers")})`]
        : []),
    ].join(" OR ");
    await e.run(
      `CREATE OR REPLACE TEMP ${incremental ? "TABLE" : "VIEW"} changed_bookings AS SELECT * FROM ${processedBookings}${
        incremental ? ` WHERE ${filter}` : ""
      }`,
    );
    const rowsIn = Number(await e.scalar<bigint>("SELECT count(*) FROM changed_bookings"));
    if (rowsIn === 0) {
      const folded = await compactOnly(run, target, key, existing);
      if (folded) return { ...base, ...folded, seconds: seconds() };
      return {
        ...base,
        rowsIn: 0,
        rowsOut: 0,
        files: 0,
        bytes: 0,
        seconds: seconds(),
        skipped: "no changed bookings",
      };
    }
    // Incremental: a small delta, materialised (the merge reads it several times); full: streamed.
    await e.run(`CREATE OR REPLACE TEMP ${incremental ? "TABLE" : "VIEW"} load_delta AS ${job.sql}`);
    const merged = await run.merge(target, key, "load_delta", existing);
    const rowsOut = incremental
      ? Number(await e.scalar<bigint>("SELECT count(*) FROM load_delta"))
      : merged.written.reduce((n, f) => n + f.rows, 0);
    const s = await run.commit(
      target,
      merged.commitFiles,
      merged.commitOperation,
      wm,
      existing?.version ?? 0,
      merged.key,
    );
    return {
      ...base,
      rowsIn,
      rowsOut,
      rejected: rowsIn - rowsOut,
      files: merged.written.length,
      bytes: bytesOf(merged.written),
      seconds: seconds(),
      version: s.version,
      operation: merged.operation,
    };
  }

  // Aggregate (hotel_daily).
  const mode = job.mode;
  const source = mode.source;
  const bookingsSnap = await run.current(source.zone as LakeZone, source.name);
  const wm = { [`${source.zone}.${source.name}`]: String(bookingsSnap?.version ?? 0) };
  const prevVersion = Number(wmRecord(existing?.watermark)[`${source.zone}.${source.name}`] ?? 0);
  if (!run.full && existing && prevVersion === (bookingsSnap?.version ?? 0))
    return {
      ...base,
      rowsIn: 0,
      rowsOut: 0,
      files: 0,
      bytes: 0,
      seconds: seconds(),
      skipped: `${source.zone}.${source.name} unchanged`,
    };
  const before =
    !run.full && existing && prevVersion > 0
      ? await run.log.snapshot(source.zone as LakeZone, source.name, prevVersion)
      : undefined;
  const r =
    before && bookingsSnap ? await aggregateDelta(run, job, before, bookingsSnap, existing!) : undefined;
  if (r) {
    const s = await run.commit(target, r.commitFiles, r.commitOperation, wm, existing!.version, r.key);
    return {
      ...base,
      rowsIn: r.rowsIn,
      rowsOut: r.written.reduce((n, f) => n + f.rows, 0),
      files: r.written.length,
      bytes: bytesOf(r.written),
      seconds: seconds(),
      version: s.version,
      operation: `aggregate+${r.operation}`,
    };
  }
  // Otherwise recompute the stay months the changed arrival partitions can reach (all of them on a full
  // run, or when a delta was involved: its rows carry no partition of their own).
  const bookingsScan = run.scan(source, bookingsSnap);
  const maxNights = Number((await e.scalar<number | null>(`SELECT max(nights) FROM ${bookingsScan}`)) ?? 0);
  await nightOffsets(run, maxNights);
  let months: number[] | undefined; // yyyymm of arrival partitions that changed; undefined = all
  const noDelta = (x: Snapshot | undefined) => !deltaFiles(snapshotFiles(x)).length;
  if (before && noDelta(before) && noDelta(bookingsSnap) && noDelta(existing)) {
    const keysNow = new Set(snapshotFiles(bookingsSnap).map((f) => f.key));
    const keysBefore = new Set(before.files.map((f) => f.key));
    const changed = [
      ...snapshotFiles(bookingsSnap).filter((f) => !keysBefore.has(f.key)),
      ...before.files.filter((f) => !keysNow.has(f.key)),
    ];
    months = [
      ...new Set(
        changed.map((f) => Number(f.partition?.arrival_year) * 100 + Number(f.partition?.arrival_month)),
      ),
    ];
  }
  let bookingsRel = bookingsScan;
  let filter = "";
  if (months) {
    // A stay arriving in month m reaches nights up to m + maxNights days. Recomputing a stay month needs
    // every booking that reaches it: those arriving from maxNights days before its start to its end.
    const stayMonths = new Set<number>();
    for (const m of months) {
      const start = new Date(Date.UTC(Math.floor(m / 100), (m % 100) - 1, 1));
      const end = new Date(Date.UTC(Math.floor(m / 100), m % 100, 0 + maxNights));
      for (let d = start; d <= end; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)))
        stayMonths.add(d.getUTCFullYear() * 100 + d.getUTCMonth() + 1);
    }
    months = [...stayMonths];
    const first = Math.min(...months);
    const last = Math.max(...months);
    const from = new Date(Date.UTC(Math.floor(first / 100), (first % 100) - 1, 1 - maxNights))
      .toISOString()
      .slice(0, 10);
    const to = new Date(Date.UTC(Math.floor(last / 100), last % 100, 0)).toISOString().slice(0, 10);
    bookingsRel = `(SELECT * FROM ${bookingsScan} WHERE arrival_date BETWEEN DATE ${q(from)} AND DATE ${q(to)})`;
    filter = ` WHERE stay_year * 100 + stay_month IN (${months.join(", ")})`;
  }
  await e.run(`CREATE OR REPLACE TEMP VIEW daily_bookings AS SELECT * FROM ${bookingsRel}`);
  const rowsIn = Number(await e.scalar<bigint>("SELECT count(*) FROM daily_bookings"));
  const written = await run.write(target, `SELECT * FROM (${job.sql})${filter}`);
  const rowsOut = written.reduce((n, f) => n + f.rows, 0);
  let files = written;
  if (months && existing) {
    const set = new Set(months);
    files = [
      ...existing.files.filter(
        (f) => !set.has(Number(f.partition?.stay_year) * 100 + Number(f.partition?.stay_month)),
      ),
      ...written,
    ];
  }
  const s = await run.commit(target, files, "overwrite", wm, existing?.version ?? 0);
  return {
    ...base,
    rowsIn,
    rowsOut,
    files: written.length,
    bytes: bytesOf(written),
    seconds: seconds(),
    version: s.version,
    operation: months ? "replace-partitions" : "overwrite",
  };
}

/** `etl_night_offsets`: i = 0 … max(1, nights) − 1. */
async function nightOffsets(run: Run, maxNights: number) {
  await run.engine.run(
    `CREATE OR REPLACE TEMP TABLE etl_night_offsets AS SELECT CAST(i AS INTEGER) AS i FROM range(0, ${Math.max(1, maxNights)}) t(i)`,
  );
}

/** Whether two versions of a merge-on-read table share their base files (no compaction or full build in
 * between) and their delta files are still in the store (an older version's may have been vacuumed): then every row that changed between
 * them has its key in one of the two deltas. */
async function sameBase(run: Run, table: TableDef, a: Snapshot, b: Snapshot): Promise<boolean> {
  const keys = (s: Snapshot) =>
    baseFiles(s.files)
      .map((f) => f.key)
      .sort()
      .join("\n");
  if (keys(a) !== keys(b)) return false;
  const bucket = run.ports.layout.bucket(table.zone as LakeZone);
  for (const f of [...deltaFiles(a.files), ...deltaFiles(b.files)])
    if (!(await run.ports.store.head(bucket, f.key))) return false;
  return true;
}

/** The rows that differ between two versions of a merge-on-read table: temp tables `etl_<tag>_old` /
 * `etl_<tag>_new` with the old and new versions of every key whose row changed (a key missing on one side
 * is new, or was rejected and kept). Candidates are the rows this run's merge between those versions kept
 * (`Run.superseded`), else, when the versions share their base (`sameBase`), the keys of the delta files
 * only one of them holds; narrowed to those whose row differs. Undefined otherwise (a compaction or full
 * build in between, in another run): the caller then recomputes whole. */
async function changedRows(
  run: Run,
  table: TableDef,
  before: Snapshot,
  now: Snapshot,
  tag: string,
  reads?: readonly string[],
) {
  // A version with the same rows as an earlier one (a compaction that merged nothing new) is diffed as
  // that one.
  while (now.sameRowsAs !== undefined && now.sameRowsAs >= before.version && now.version > before.version) {
    const same = await run.log.snapshot(table.zone as LakeZone, table.name, now.sameRowsAs);
    if (!same) return undefined;
    now = same;
  }
  if (now.version === before.version) return noRows(run, table, tag, reads);
  const e = run.engine;
  const key = now.key?.[0] ?? before.key?.[0] ?? table.primaryKey[0]!;
  const k = quoteIdent(key);
  // Only the columns the caller reads (and the key): a row that changed elsewhere changes nothing for it,
  // and the base is read for these columns only.
  const columns = reads ? [...new Set([key, ...reads])] : allColumns(table).map((c) => c.name);
  const cols = columns.map(quoteIdent).join(", ");
  const t = (part: string) => `etl_${tag}_${part}`;
  // This run's merge between exactly these versions kept what it replaced: no base read.
  const kept = run.superseded.get(`${table.zone}.${table.name}`);
  if (
    kept &&
    kept.from === before.version &&
    kept.to === now.version &&
    columns.every((c) => kept.columns.includes(c))
  ) {
    await e.run(`CREATE OR REPLACE TEMP TABLE ${t("before")} AS SELECT ${cols} FROM ${kept.old}`);
    await e.run(`CREATE OR REPLACE TEMP TABLE ${t("after")} AS SELECT ${cols} FROM ${kept.new}`);
    return narrowToChanged(run, k, t);
  }
  if (!(await sameBase(run, table, before, now))) return undefined;
  const { store, layout } = run.ports;
  // A delta file both versions hold contributes the same rows to both, unless a newer layer supersedes one
  // of its keys — and that layer is one version's only: the keys of the files only one version holds.
  const heldBy = (s: Snapshot) => new Set(deltaFiles(s.files).map((f) => f.key));
  const [inBefore, inNow] = [heldBy(before), heldBy(now)];
  const differing = [
    ...deltaFiles(before.files).filter((f) => !inNow.has(f.key)),
    ...deltaFiles(now.files).filter((f) => !inBefore.has(f.key)),
  ];
  await e.run(
    `CREATE OR REPLACE TEMP TABLE ${t("keys")} AS SELECT DISTINCT ${k} FROM ${tableScan(store, layout, table, differing, { kind: "single" })}`,
  );
  await e.run(
    `CREATE OR REPLACE TEMP TABLE ${t("base")} AS SELECT ${cols} FROM ${tableScan(store, layout, table, baseFiles(now.files), placementOf(table))} WHERE ${k} IN (SELECT ${k} FROM ${t("keys")})`,
  );
  const version = (s: Snapshot) =>
    `(${mergeOnReadSql({ base: t("base"), delta: deltaLayerScans(store, layout, table, s.files), key: [key], columns })})`;
  // Only the candidate keys: the layers both versions share hold others too.
  for (const [name, s] of [
    ["before", before],
    ["after", now],
  ] as const)
    await e.run(
      `CREATE OR REPLACE TEMP TABLE ${t(name)} AS SELECT * FROM ${version(s)} WHERE ${k} IN (SELECT ${k} FROM ${t("keys")})`,
    );
  return narrowToChanged(run, k, t);
}

/** From temp tables `<t>_before` / `<t>_after` (old and new versions of the candidate keys): the keys
 * whose row differs, and `<t>_old` / `<t>_new` with just those rows. */
async function narrowToChanged(run: Run, k: string, t: (part: string) => string) {
  const e = run.engine;
  // Keys in both versions with the same row changed in neither direction: left out.
  await e.run(
    `CREATE OR REPLACE TEMP TABLE ${t("changed")} AS SELECT ${k} FROM (SELECT * FROM ${t("before")} EXCEPT SELECT * FROM ${t("after")})
     UNION SELECT ${k} FROM (SELECT * FROM ${t("after")} EXCEPT SELECT * FROM ${t("before")})`,
  );
  for (const [out, src] of [
    ["old", "before"],
    ["new", "after"],
  ] as const)
    await e.run(
      `CREATE OR REPLACE TEMP TABLE ${t(out)} AS SELECT * FROM ${t(src)} WHERE ${k} IN (SELECT ${k} FROM ${t("changed")})`,
    );
  return { old: t("old"), new: t("new") };
}

/** `changedRows` when nothing changed: empty temp tables of the same columns. */
async function noRows(run: Run, table: TableDef, tag: string, reads?: readonly string[]) {
  const key = table.primaryKey[0]!;
  const columns = reads ? [...new Set([key, ...reads])] : allColumns(table).map((c) => c.name);
  const empty = tableScan(run.ports.store, run.ports.layout, table, [], { kind: "single" });
  const t = (part: string) => `etl_${tag}_${part}`;
  for (const part of ["old", "new"])
    await run.engine.run(
      `CREATE OR REPLACE TEMP TABLE ${t(part)} AS SELECT ${columns.map(quoteIdent).join(", ")} FROM ${empty}`,
    );
  return { old: t("old"), new: t("new") };
}

/** Delta aggregation between two versions of the source with the same base: the aggregate of the changed
 * rows' old versions is subtracted from the committed one and that of their new versions added; the result
 * is rewritten whole (it is small next to the source: hotels × days). */
async function aggregateDelta(run: Run, job: LoadJob, before: Snapshot, now: Snapshot, existing: Snapshot) {
  if (job.mode.kind !== "aggregate") throw new Error(`${job.name} is not an aggregate`);
  const { source, combine, reads } = job.mode;
  const e = run.engine;
  const rows = await changedRows(run, source, before, now, "agg", reads);
  if (!rows) return undefined;
  const maxNights = Number(
    (await e.scalar<number | null>(
      `SELECT max(nights) FROM (SELECT nights FROM ${rows.old} UNION ALL SELECT nights FROM ${rows.new})`,
    )) ?? 0,
  );
  await nightOffsets(run, maxNights);
  const target = job.target.name;
  for (const [rel, from] of [
    [`${target}_removed`, rows.old],
    [`${target}_added`, rows.new],
  ] as const) {
    await e.run(`CREATE OR REPLACE TEMP VIEW daily_bookings AS SELECT * FROM ${from}`);
    await e.run(`CREATE OR REPLACE TEMP TABLE ${rel} AS ${job.sql}`);
  }
  // Only the hotel-days the changes reach are combined.
  const key = job.target.primaryKey;
  const on = key.map((c) => `k.${quoteIdent(c)} = c.${quoteIdent(c)}`).join(" AND ");
  const keyList = key.map(quoteIdent).join(", ");
  await e.run(
    `CREATE OR REPLACE TEMP TABLE etl_agg_touched AS SELECT ${keyList} FROM ${target}_added UNION SELECT ${keyList} FROM ${target}_removed`,
  );
  const current = run.scan(job.target, existing);
  await e.run(
    // A join with the (distinct) touched keys, not `EXISTS`: over the merge-on-read union DuckDB plans the
    // correlated `EXISTS` as a delim join on null-safe comparisons (recent-months 1%: 154 → see README).
    `CREATE OR REPLACE TEMP VIEW ${target}_current AS SELECT c.* FROM ${current} c JOIN etl_agg_touched k ON ${on}`,
  );
  await e.run(`CREATE OR REPLACE TEMP TABLE etl_agg_combined AS ${combine}`);
  const rowsIn = Number(
    await e.scalar<bigint>(`SELECT (SELECT count(*) FROM ${rows.old}) + (SELECT count(*) FROM ${rows.new})`),
  );
  const touched = Number(await e.scalar<bigint>("SELECT count(*) FROM etl_agg_touched"));
  const combined = Number(await e.scalar<bigint>("SELECT count(*) FROM etl_agg_combined"));
  if (combined === touched) {
    // Every hotel-day reached still exists: its new values are a delta (merge-on-read by the key).
    return { ...(await run.merge(job.target, key, "etl_agg_combined", existing)), rowsIn };
  }
  // A hotel-day lost its last booking: a delta cannot delete (no tombstones), so the partitions the changes
  // reach are rewritten (the others keep their files; with a delta present, the whole table).
  const placement = placementOf(job.target);
  let kept: readonly DataFile[] = [];
  let reached = current;
  if (placement.kind === "hive" && !deltaFiles(existing.files).length) {
    const keys = placement.keys;
    const parts = await e.rows<Record<string, unknown>>(
      `SELECT DISTINCT ${keys.map(quoteIdent).join(", ")} FROM (SELECT * FROM ${target}_added UNION ALL SELECT * FROM ${target}_removed)`,
    );
    const groups = new Set(
      parts.map((r) => partitionPath(Object.fromEntries(keys.map((k) => [k, String(r[k])])), keys)),
    );
    const inReach = existing.files.filter((f) => groups.has(fileGroup(f, placement)));
    kept = existing.files.filter((f) => !groups.has(fileGroup(f, placement)));
    reached = tableScan(run.ports.store, run.ports.layout, job.target, inReach, placement);
  }
  const written = await run.write(
    job.target,
    `SELECT * FROM etl_agg_combined UNION ALL SELECT * FROM ${reached} c WHERE NOT EXISTS (SELECT 1 FROM etl_agg_touched k WHERE ${on})`,
  );
  return {
    commitFiles: [...kept, ...written],
    commitOperation: "overwrite" as const,
    written,
    operation: "replace-partitions" as const,
    key,
    rowsIn,
  };
}

/** Runs the selected jobs on DuckDB against the local lake. Idempotent: every step reads only committed
 * snapshots and records in its own snapshot how far it got, so a rerun after a crash finishes the work. */
export async function runLocalEtl(ports: LocalEtlPorts, options: LocalEtlOptions = {}): Promise<EtlSummary> {
  const t0 = performance.now();
  if (!ports.store.localPath)
    throw new Error("the DuckDB runner needs a local object store (on AWS, run the Glue job)");
  const selected: readonly Job[] = selectJobs(options.jobs);
  const runId = options.runId ?? newRunId();
  const engine = await Engine.open({
    ...(options.tempDir ? { tempDir: path.join(options.tempDir, "duckdb") } : {}),
    ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
  });
  const run = new Run(ports, engine, runId, options.full ?? false, options);
  try {
    for (const job of selected) {
      options.onProgress?.({ job: job.name, phase: "start" });
      const s =
        job.kind === "extract"
          ? await extract(run, job)
          : job.kind === "transform"
            ? await transform(run, job)
            : await load(run, job);
      run.record(s);
    }
    // Files replaced by this run's commits go once nothing references them. A table whose commits only
    // added files (an append, a delta layer) has nothing to remove but a crashed run's orphans: those are
    // swept every `VACUUM_EVERY` versions (listing every committed table's files took ~30 ms of each 1%
    // incremental run).
    for (const [t, c] of run.committed) {
      if (!c.replaced && c.version % VACUUM_EVERY !== 0) continue;
      const [zone, table] = t.split(".") as [LakeZone, string];
      await run.log.vacuum(zone, table);
    }
  } finally {
    await run.cleanup();
    if (options.releaseEngine === "exit") engine.abandon();
    else engine.close();
  }
  const balance = run.steps
    .filter((s) => s.step === "transform" && !s.skipped)
    .map((s) => ({
      table: s.table.replace(/^processed\./, ""),
      extracted: s.rowsIn,
      processed: s.rowsOut,
      rejected: s.rejected,
      superseded: s.superseded,
      balanced: s.rowsIn === s.rowsOut + s.rejected + s.superseded,
    }));
  return { runId, full: run.full, steps: run.steps, balance, seconds: (performance.now() - t0) / 1000 };
}
