import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBMaterializedResult,
  type DuckDBPreparedStatement,
  StatementType,
} from "@duckdb/node-api";
import type { LakeLayout, ObjectStore } from "@hotels/lake";
import { quoteIdent } from "@hotels/schema";
import { logicalTypeOf } from "./decode.ts";
import { decodeColumn } from "./duckdb-columns.ts";
import { QueryAbortedError, QueryError } from "./errors.ts";
import { catalogTables, type LakeSources, QUERYABLE_ZONES, snapshotPaths, viewSql } from "./lake-views.ts";
import type { QueryEngine, QueryParam, QueryResult, ResultColumn } from "./port.ts";
import { writeResult } from "./results.ts";

export interface DuckDbQueryEngineOptions extends LakeSources {
  /** The local lake (files are read in place through `store.localPath`). */
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  /** Write each result to the `query-results` zone as `<queryId>.csv` + `.csv.metadata`. Default true. */
  readonly writeResults?: boolean;
  /** Results with more rows than this are written to the query-results zone in the background, after the
   * query has answered (serialising 50k rows costs about as much as the query); `flushResults()` and
   * `close()` wait for them and raise a failed write. Smaller results are written before the query
   * answers. Default 10,000. */
  readonly backgroundWriteRows?: number;
  /** Milliseconds during which a catalog/snapshot check is reused; 0 checks before every query. Default 0. */
  readonly refreshMs?: number;
  /** DuckDB worker threads. Default: DuckDB's (one per core). */
  readonly threads?: number;
}

/** One exposed view and what it was built from. */
interface ViewState {
  readonly fingerprint: string;
  /** Why the view could not be built (the table is then not queryable). */
  readonly broken?: string;
}

const READ_ONLY = new Set<number>([StatementType.SELECT, StatementType.EXPLAIN]);

/** The local query engine: an in-memory DuckDB in which every catalogued table is a view `<zone>.<table>`
 * over the committed Parquet files of its current snapshot. Views are rebuilt when the catalog or a
 * snapshot version changes, checked before each query, so new partitions and tables appear without a
 * restart. DuckDB may read only the lake folder (external access otherwise off, configuration locked), and
 * only SELECT/EXPLAIN run: the lake is read-only through this engine. */
export class DuckDbQueryEngine implements QueryEngine {
  readonly kind = "duckdb" as const;
  readonly #o: DuckDbQueryEngineOptions;
  readonly #instance: DuckDBInstance;
  readonly #conn: DuckDBConnection;
  readonly #profileFile: string;
  readonly #views = new Map<string, ViewState>();
  #checkedAt = Number.NEGATIVE_INFINITY;
  /** Result files being written after their query answered (see `backgroundWriteRows`). */
  readonly #pendingWrites = new Set<Promise<unknown>>();
  readonly #writeErrors: Error[] = [];
  /** Queries run one at a time on the one connection (the profile file is per connection). */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    o: DuckDbQueryEngineOptions,
    instance: DuckDBInstance,
    conn: DuckDBConnection,
    profileFile: string,
  ) {
    this.#o = o;
    this.#instance = instance;
    this.#conn = conn;
    this.#profileFile = profileFile;
  }

  static async create(options: DuckDbQueryEngineOptions): Promise<DuckDbQueryEngine> {
    const { store, layout } = options;
    if (!store.localPath)
      throw new Error("the DuckDB query engine needs a local object store (a lake folder)");
    const profileDir = mkdtempSync(path.join(tmpdir(), "hotels-query-"));
    const profileFile = path.join(profileDir, "profile.json");
    const instance = await DuckDBInstance.create(":memory:", {
      ...(options.threads ? { threads: String(options.threads) } : {}),
    });
    const conn = await instance.connect();
    // DuckDB may touch only the zone folders it reads and its profile output.
    const zoneDirs = (options.zones ?? QUERYABLE_ZONES).map((z) =>
      path.dirname(store.localPath!(layout.bucket(z), "x")),
    );
    const allowed = [...zoneDirs, profileDir].map((d) => `'${`${d}/`.replaceAll("'", "''")}'`).join(", ");
    await conn.run(`SET allowed_directories = [${allowed}]`);
    await conn.run("SET enable_external_access = false");
    await conn.run("SET enable_profiling = 'json'");
    await conn.run(`SET profiling_output = '${profileFile.replaceAll("'", "''")}'`);
    // Only the operators' extra info (which holds the Parquet scans' "Total Files Read"): the default
    // metrics time every operator and cost 12-15% on the benchmark's queries; this costs nothing measurable.
    await conn.run(`SET custom_profiling_settings = '{"EXTRA_INFO": "true"}'`);
    await conn.run("SET lock_configuration = true");
    const engine = new DuckDbQueryEngine(options, instance, conn, profileFile);
    // A process that ends without close() still leaves no temporary folder behind.
    process.once("exit", engine.#removeProfileDir);
    return engine;
  }

  readonly #removeProfileDir = () =>
    rmSync(path.dirname(this.#profileFile), { recursive: true, force: true });

  query(
    sql: string,
    params: readonly QueryParam[] = [],
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<QueryResult> {
    const run = this.#queue.then(() => this.#run(sql, params, options.signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Rebuilds the views whose catalog entry or snapshot version changed; drops those no longer catalogued.
   * Runs before every query anyway; call it to build the views ahead of the first one. */
  refresh(force = false): Promise<void> {
    const run = this.#queue.then(() => this.#refresh(force));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #refresh(force: boolean): Promise<void> {
    const now = performance.now();
    if (!force && now - this.#checkedAt < (this.#o.refreshMs ?? 0)) return;
    const tables = await catalogTables(this.#o);
    const seen = new Set(tables.map(({ zone, table }) => `${zone}.${table.Name}`));
    // Versions are read concurrently: the check runs before every query, so its latency counts.
    const versions = await Promise.all(
      tables.map(({ zone, table }) => this.#o.snapshots.currentVersion(zone, table.Name)),
    );
    for (const [i, { zone, table }] of tables.entries()) {
      const name = `${zone}.${table.Name}`;
      const version = versions[i]!;
      const shape = JSON.stringify([table.StorageDescriptor?.Columns, table.PartitionKeys]);
      if (this.#views.get(name)?.fingerprint === `${version}|${shape}`) continue;
      const snap = version > 0 ? await this.#o.snapshots.current(zone, table.Name) : undefined;
      const { paths, delta } = snapshotPaths(this.#o.store, this.#o.layout, zone, snap);
      await this.#conn.run(`CREATE SCHEMA IF NOT EXISTS "${zone}"`);
      const fingerprint = `${snap?.version ?? 0}|${shape}`;
      try {
        await this.#conn.run(viewSql(zone, table, paths, delta));
        // Fingerprint of what was read (the snapshot may have moved on between the two reads).
        this.#views.set(name, { fingerprint });
      } catch (e) {
        // One table whose files disagree with its catalog entry must not take the others down: it is left
        // out, and a query that names it is told why.
        await this.#conn.run(`DROP VIEW IF EXISTS ${quoteIdent(zone)}.${quoteIdent(table.Name)}`);
        this.#views.set(name, { fingerprint, broken: (e as Error).message.split("\n")[0]! });
      }
    }
    for (const name of [...this.#views.keys()]) {
      if (seen.has(name)) continue;
      const [zone, table] = name.split(".") as [string, string];
      await this.#conn.run(`DROP VIEW IF EXISTS "${zone}"."${table.replaceAll('"', '""')}"`);
      this.#views.delete(name);
    }
    this.#checkedAt = performance.now();
  }

  async #run(sql: string, params: readonly QueryParam[], signal?: AbortSignal): Promise<QueryResult> {
    signal?.throwIfAborted();
    const t0 = performance.now();
    await this.#refresh(false);
    const queryId = randomUUID();
    const fail = (e: unknown): never => {
      let message = (e as Error).message;
      if (/^INTERRUPT/i.test(message) && signal?.aborted) throw new QueryAbortedError(queryId);
      for (const [name, v] of this.#views)
        if (v.broken && message.includes(`Table with name ${name.split(".")[1]} does not exist`))
          message = `${message}\n${name} is catalogued but its files do not match the catalog: ${v.broken}`;
      const position = duckdbErrorPosition(sql, message);
      const code = /^([A-Za-z ]+?) Error:/.exec(message)?.[1];
      throw new QueryError(message, {
        engine: "duckdb",
        queryId,
        ...(position ? { position } : {}),
        ...(code ? { code } : {}),
      });
    };
    let prepared: DuckDBPreparedStatement;
    try {
      prepared = await this.#conn.prepare(sql);
    } catch (e) {
      return fail(e);
    }
    if (!READ_ONLY.has(prepared.statementType))
      throw new QueryError(
        `only SELECT queries run on the lake (got a ${StatementType[prepared.statementType]} statement)`,
        { engine: "duckdb", queryId, code: "Permission" },
      );
    if (prepared.parameterCount !== params.length)
      throw new QueryError(
        `the query has ${prepared.parameterCount} ? parameter(s); ${params.length} given`,
        {
          engine: "duckdb",
          queryId,
          code: "Parameter",
        },
      );
    for (const [i, v] of params.entries()) bind(prepared, i + 1, v);
    // DuckDB writes no profile for a query answered without a plan (a count(*) from Parquet metadata):
    // remove the last one so a stale profile is never reported.
    rmSync(this.#profileFile, { force: true });
    const onAbort = () => this.#conn.interrupt();
    signal?.addEventListener("abort", onAbort, { once: true });
    let materialized: DuckDBMaterializedResult;
    let chunks: DuckDBDataChunk[];
    try {
      materialized = await prepared.run();
      chunks = await materialized.fetchAllChunks();
    } catch (e) {
      return fail(e);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    const filesScanned = this.#filesScanned();
    const names = materialized.columnNames();
    const types = materialized.columnTypes();
    const columns: ResultColumn[] = types.map((t, i) => ({
      name: names[i]!,
      type: logicalTypeOf(t.toString()),
    }));
    // Column-wise over DuckDB's vectors: each column is decoded in one pass, then rows are assembled.
    const data = types.map((t, i) => decodeColumn(chunks, i, t));
    const rowCount = data[0]?.length ?? 0;
    const rows: Record<string, unknown>[] = new Array(rowCount);
    for (let r = 0; r < rowCount; r++) {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) o[names[i]!] = data[i]![r];
      rows[r] = o;
    }
    const result: QueryResult = {
      queryId,
      columns,
      rows,
      stats: { millis: performance.now() - t0, ...(filesScanned !== undefined ? { filesScanned } : {}) },
    };
    if (this.#o.writeResults ?? true) {
      const submittedAt = new Date(Date.now() - (performance.now() - t0)).toISOString();
      const write = () =>
        writeResult(
          this.#o.store,
          this.#o.layout.bucket("query-results"),
          result,
          { sql, params, submittedAt },
          data,
        );
      if (rowCount <= (this.#o.backgroundWriteRows ?? 10_000)) await write();
      else {
        // Off the critical path: started once the caller has its rows (setImmediate), awaited by flushResults.
        const pending: Promise<unknown> = new Promise((resolve) => setImmediate(resolve))
          .then(write)
          .catch((e: unknown) => {
            this.#writeErrors.push(
              new Error(`writing the result of query ${queryId} failed: ${(e as Error).message}`, {
                cause: e,
              }),
            );
          })
          .finally(() => this.#pendingWrites.delete(pending));
        this.#pendingWrites.add(pending);
      }
    }
    return result;
  }

  /** Files the last query read: the sum of the Parquet scans' "Total Files Read" in DuckDB's profile;
   * undefined when DuckDB wrote no profile. */
  #filesScanned(): number | undefined {
    let profile: unknown;
    try {
      profile = JSON.parse(readFileSync(this.#profileFile, "utf8"));
    } catch {
      return undefined;
    }
    let total: number | undefined;
    const walk = (n: { extra_info?: Record<string, unknown>; children?: unknown[] }) => {
      const read = n.extra_info?.["Total Files Read"];
      if (read !== undefined) total = (total ?? 0) + Number(read);
      for (const c of n.children ?? []) walk(c as typeof n);
    };
    walk(profile as Parameters<typeof walk>[0]);
    return total;
  }

  /** Waits for the result files still being written in the background; throws if any write failed (each
   * failure is reported once). */
  async flushResults(): Promise<void> {
    while (this.#pendingWrites.size > 0) await Promise.all(this.#pendingWrites);
    const errors = this.#writeErrors.splice(0);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1)
      throw new AggregateError(errors, `${errors.length} query results could not be written`);
  }

  /** Closes DuckDB once the queued queries are done and their result files written; a failed result write
   * is raised here (after closing). */
  async close(): Promise<void> {
    await this.#queue;
    const flushed = this.flushResults().then(
      () => undefined,
      (e: unknown) => e,
    );
    const writeError = await flushed;
    this.#conn.closeSync();
    this.#instance.closeSync();
    process.removeListener("exit", this.#removeProfileDir);
    this.#removeProfileDir();
    if (writeError) throw writeError;
  }
}

/** Binds a value with an explicit type: integers as INTEGER/BIGINT (so partition filters compare integers),
 * other numbers DOUBLE, strings VARCHAR. */
function bind(p: DuckDBPreparedStatement, i: number, v: QueryParam): void {
  if (v === null) p.bindNull(i);
  else if (typeof v === "boolean") p.bindBoolean(i, v);
  else if (typeof v === "string") p.bindVarchar(i, v);
  else if (Number.isSafeInteger(v)) {
    if (v >= -2_147_483_648 && v <= 2_147_483_647) p.bindInteger(i, v);
    else p.bindBigInt(i, BigInt(v));
  } else p.bindDouble(i, v);
}

/** 1-based line/column of a DuckDB error (`LINE 2:   nosuch = 1` then a caret line); DuckDB may shorten the
 * line to an excerpt, so the excerpt is located in the SQL. */
export function duckdbErrorPosition(
  sql: string,
  message: string,
): { line: number; column: number } | undefined {
  const m = /\nLINE (\d+): (.*)\n( *)\^/.exec(message);
  if (!m) return undefined;
  const line = Number(m[1]);
  let excerpt = m[2]!;
  let caret = m[3]!.length - `LINE ${m[1]}: `.length;
  if (excerpt.startsWith("...")) {
    excerpt = excerpt.slice(3);
    caret -= 3;
  }
  excerpt = excerpt.replace(/\.\.\.$/, "");
  const text = sql.split("\n")[line - 1] ?? "";
  const at = text.indexOf(excerpt.slice(0, Math.min(excerpt.length, 40)));
  return { line, column: Math.max(at, 0) + caret + 1 };
}
