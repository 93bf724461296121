import type { AthenaClient, ColumnInfo, QueryExecution } from "@aws-sdk/client-athena";
import { canonicalDecimalText, int64Value, logicalTypeOf } from "./decode.ts";
import { QueryAbortedError, QueryError, trinoPosition } from "./errors.ts";
import type { QueryEngine, QueryParam, QueryResult, ResultColumn } from "./port.ts";
import { renameSchemas } from "./sql-lex.ts";

export interface AthenaQueryEngineOptions {
  /** Athena workgroup of the environment (its result location and engine version come from it). */
  readonly workGroup: string;
  /** Default database (`QueryExecutionContext.Database`). Default: none (names are qualified). */
  readonly database?: string;
  /** Data catalog. Default `AwsDataCatalog`. */
  readonly catalog?: string;
  /** `s3://…/` result location, only when the workgroup does not enforce one. */
  readonly outputLocation?: string;
  /** Glue database of each lake zone, e.g. `{ curated: "hotels_dev_curated" }`: `curated.bookings` in SQL
   * reads `hotels_dev_curated.bookings`. Default: databases are named after zones. */
  readonly databases?: Readonly<Record<string, string>>;
  /** Client to use; default `new AthenaClient({ region })`. */
  readonly client?: AthenaClient;
  readonly region?: string;
  /** Polling backoff: first delay, growth factor, ceiling. Defaults 200 ms, ×1.5, 5 s. */
  readonly pollInitialMs?: number;
  readonly pollFactor?: number;
  readonly pollMaxMs?: number;
  /** GetQueryResults page size (Athena's maximum is 1000). Default 1000. */
  readonly pageSize?: number;
}

/** Athena execution parameter for a bound value: Athena substitutes these as SQL literals, so strings are
 * quoted (quotes doubled) and everything else must be a plain number or boolean. */
export function executionParameter(v: QueryParam): string {
  if (v === null) return "NULL";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`parameter ${v} is not a finite number`);
    return String(v);
  }
  return `'${v.replaceAll("'", "''")}'`;
}

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

/** The query engine on Amazon Athena (engine v3): StartQueryExecution in the workgroup, GetQueryExecution
 * polling with backoff, GetQueryResults pagination, typed decoding from the result set metadata. */
export class AthenaQueryEngine implements QueryEngine {
  readonly kind = "athena" as const;
  readonly #o: AthenaQueryEngineOptions;
  #ready?: Promise<{ athena: typeof import("@aws-sdk/client-athena"); client: AthenaClient }>;

  constructor(options: AthenaQueryEngineOptions) {
    this.#o = options;
  }

  /** The SDK, loaded on first use: every local command imports this package, and would pay its load. */
  #sdk() {
    this.#ready ??= import("@aws-sdk/client-athena").then((athena) => ({
      athena,
      client: this.#o.client ?? new athena.AthenaClient(this.#o.region ? { region: this.#o.region } : {}),
    }));
    return this.#ready;
  }

  async query(
    sql: string,
    params: readonly QueryParam[] = [],
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<QueryResult> {
    const t0 = performance.now();
    const dbs = this.#o.databases;
    const text = dbs ? renameSchemas(sql, (s) => dbs[s]) : sql;
    options.signal?.throwIfAborted();
    const { athena, client } = await this.#sdk();
    const started = await client.send(
      new athena.StartQueryExecutionCommand({
        QueryString: text,
        WorkGroup: this.#o.workGroup,
        QueryExecutionContext: {
          Catalog: this.#o.catalog ?? "AwsDataCatalog",
          ...(this.#o.database ? { Database: this.#o.database } : {}),
        },
        ...(this.#o.outputLocation
          ? { ResultConfiguration: { OutputLocation: this.#o.outputLocation } }
          : {}),
        ...(params.length ? { ExecutionParameters: params.map(executionParameter) } : {}),
      }),
    );
    const queryId = started.QueryExecutionId;
    if (!queryId) throw new QueryError("Athena returned no QueryExecutionId", { engine: "athena" });
    const execution = await this.#wait(queryId, options.signal);
    const columns: ResultColumn[] = [];
    const rows: Record<string, unknown>[] = [];
    let token: string | undefined;
    let first = true;
    let decoders: ((v: string | undefined) => unknown)[] = [];
    do {
      const page = await client.send(
        new athena.GetQueryResultsCommand({
          QueryExecutionId: queryId,
          MaxResults: this.#o.pageSize ?? 1000,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      let data = page.ResultSet?.Rows ?? [];
      if (first) {
        const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        for (const c of info) columns.push({ name: c.Name ?? "", type: athenaType(c) });
        decoders = columns.map((c) => athenaDecoder(c.type));
        // A SELECT's first row repeats the column names; DDL and DML results have none.
        const head = data[0]?.Data?.map((d) => d.VarCharValue);
        if (head && head.length === columns.length && head.every((v, i) => v === columns[i]!.name))
          data = data.slice(1);
        first = false;
      }
      for (const r of data) {
        const row: Record<string, unknown> = {};
        const cells = r.Data ?? [];
        columns.forEach((c, i) => {
          row[c.name] = decoders[i]!(cells[i]?.VarCharValue);
        });
        rows.push(row);
      }
      token = page.NextToken;
      if (token) options.signal?.throwIfAborted();
    } while (token);
    const scanned = execution.Statistics?.DataScannedInBytes;
    return {
      queryId,
      columns,
      rows,
      stats: {
        millis: performance.now() - t0,
        ...(scanned !== undefined ? { bytesScanned: scanned } : {}),
      },
    };
  }

  async #wait(queryId: string, signal?: AbortSignal): Promise<QueryExecution> {
    const { athena, client } = await this.#sdk();
    let delay = this.#o.pollInitialMs ?? 200;
    for (;;) {
      if (signal?.aborted) {
        await client.send(new athena.StopQueryExecutionCommand({ QueryExecutionId: queryId }));
        throw new QueryAbortedError(queryId);
      }
      const r = await client.send(new athena.GetQueryExecutionCommand({ QueryExecutionId: queryId }));
      const state = r.QueryExecution?.Status?.State;
      if (state && TERMINAL.has(state)) {
        const ex = r.QueryExecution!;
        if (state === "SUCCEEDED") return ex;
        if (state === "CANCELLED") throw new QueryAbortedError(queryId);
        const err = ex.Status?.AthenaError;
        const reason = ex.Status?.StateChangeReason ?? err?.ErrorMessage ?? "query failed";
        const position = trinoPosition(reason);
        throw new QueryError(`Athena query ${queryId} failed: ${reason}`, {
          engine: "athena",
          queryId,
          ...(position ? { position } : {}),
          ...(err?.ErrorType !== undefined ? { code: `${err.ErrorCategory ?? ""}/${err.ErrorType}` } : {}),
        });
      }
      await sleep(delay, signal);
      delay = Math.min(delay * (this.#o.pollFactor ?? 1.5), this.#o.pollMaxMs ?? 5000);
    }
  }

  async close(): Promise<void> {
    if (!this.#o.client && this.#ready) (await this.#ready).client.destroy();
  }
}

/** Resolves after `ms`, or early when `signal` aborts (the caller then stops the query). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

function athenaType(c: ColumnInfo): ResultColumn["type"] {
  return logicalTypeOf(c.Type ?? "varchar", c.Precision, c.Scale);
}

/** Decoder of Athena's text cells (an absent VarCharValue is SQL NULL). */
export function athenaDecoder(type: ResultColumn["type"]): (v: string | undefined) => unknown {
  const nullable =
    (f: (s: string) => unknown) =>
    (v: string | undefined): unknown =>
      v === undefined ? null : f(v);
  switch (type.kind) {
    case "int32":
    case "double":
      return nullable((s) => Number(s));
    case "int64":
      return nullable((s) => int64Value(BigInt(s)));
    case "decimal": {
      const scale = type.scale;
      return nullable((s) => canonicalDecimalText(s, scale));
    }
    case "boolean":
      return nullable((s) => s === "true");
    case "date":
      return nullable((s) => s.slice(0, 10));
    case "timestamp":
      return nullable(athenaTimestamp);
    default:
      return nullable((s) => s);
  }
}

/** Athena writes timestamps as `2017-07-01 12:00:00.000` (UTC, no zone) and `timestamp with time zone` as
 * `… UTC` or `… +01:00`. A named zone other than UTC cannot be resolved here, so that text is kept. */
export function athenaTimestamp(s: string): Date | string {
  const iso = s.trim().replace(" ", "T");
  const m = /^(.*?)(?:\s*(UTC|Z)|\s*([+-]\d\d:?\d\d))?$/.exec(iso);
  if (!m || /\s[A-Za-z]/.test(m[1]!)) return s;
  const d = new Date(`${m[1]}${m[3] ?? "Z"}`);
  return Number.isNaN(d.getTime()) ? s : d;
}
