import type {
  ExecuteStatementCommandOutput,
  Field,
  RDSDataClient,
  SqlParameter,
} from "@aws-sdk/client-rds-data";
import type { Column } from "@hotels/schema";
import { linesAsBytes, parseCopyLine, rawCopyLine } from "./copy-text.ts";
import type { SqlSource, SqlValue } from "./port.ts";
import { oneSessionSnapshot } from "./snapshot.ts";
import { mapPlaceholders, quoteIdent, quoteTable, uniqueName } from "./sql.ts";

export interface DataApiOptions {
  readonly resourceArn: string;
  readonly secretArn: string;
  readonly database: string;
  /** Default: a new client for `region` (default: the ambient one) and the ambient credentials. */
  readonly client?: RDSDataClient;
  readonly region?: string;
  /** Most parameter sets per BatchExecuteStatement (default 1,000). */
  readonly batchRows?: number;
  /** Most bytes of parameter JSON per BatchExecuteStatement (default 3 MiB: the request limit is 4 MiB,
   * headers and SQL included). */
  readonly batchBytes?: number;
  /** Rows per ExecuteStatement page in `copyOut` (default 1,000; halved when a page exceeds the 1 MiB
   * response limit). */
  readonly pageRows?: number;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `2015-07-01 12:00:00.000`: the Data API's TIMESTAMP text (UTC). */
function timestampText(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}

/** A bound value as a typed SqlParameter; `$n` placeholders become `:pn`. Dates go as TIMESTAMP, ISO
 * calendar-date strings as DATE; anything else by its JS type. */
export function toSqlParameter(name: string, v: SqlValue): SqlParameter {
  if (v === null || v === undefined) return { name, value: { isNull: true } };
  if (v instanceof Date) return { name, value: { stringValue: timestampText(v) }, typeHint: "TIMESTAMP" };
  if (typeof v === "boolean") return { name, value: { booleanValue: v } };
  if (typeof v === "number")
    return Number.isInteger(v) ? { name, value: { longValue: v } } : { name, value: { doubleValue: v } };
  if (ISO_DATE.test(v)) return { name, value: { stringValue: v }, typeHint: "DATE" };
  return { name, value: { stringValue: v } };
}

/** A column's COPY text value as a SqlParameter, typed from the schema (DECIMAL/DATE/TIMESTAMP hints). */
function columnParameter(name: string, c: Column, raw: string | null): SqlParameter {
  if (raw === null) return { name, value: { isNull: true } };
  switch (c.type.kind) {
    case "int32":
    case "int64":
      return { name, value: { longValue: Number(raw) } };
    case "double":
      return { name, value: { doubleValue: Number(raw) } };
    case "boolean":
      return { name, value: { booleanValue: raw === "t" || raw === "true" } };
    case "decimal":
      return { name, value: { stringValue: raw }, typeHint: "DECIMAL" };
    case "date":
      return { name, value: { stringValue: raw }, typeHint: "DATE" };
    case "timestamp":
      return { name, value: { stringValue: timestampText(new Date(raw)) }, typeHint: "TIMESTAMP" };
    case "string":
      return { name, value: { stringValue: raw } };
  }
}

const TIMESTAMP_TYPES = new Set(["timestamp", "timestamptz"]);

function fieldValue(f: Field, typeName: string | undefined): unknown {
  if (f.isNull) return null;
  if (f.stringValue !== undefined)
    return typeName && TIMESTAMP_TYPES.has(typeName)
      ? new Date(`${f.stringValue.replace(" ", "T")}Z`)
      : f.stringValue;
  if (f.longValue !== undefined) return f.longValue;
  if (f.doubleValue !== undefined) return f.doubleValue;
  if (f.booleanValue !== undefined) return f.booleanValue;
  if (f.arrayValue !== undefined) return f.arrayValue;
  return null;
}

/** A field as COPY raw text (what PostgreSQL's text output would be; timestamps in UTC). */
function fieldText(f: Field, typeName: string | undefined): string | null {
  if (f.isNull) return null;
  if (f.stringValue !== undefined)
    return typeName && TIMESTAMP_TYPES.has(typeName) ? `${f.stringValue}+00` : f.stringValue;
  if (f.longValue !== undefined) return String(f.longValue);
  if (f.doubleValue !== undefined) return String(f.doubleValue);
  if (f.booleanValue !== undefined) return f.booleanValue ? "t" : "f";
  return null;
}

function rowsOf(out: ExecuteStatementCommandOutput): Record<string, unknown>[] {
  const meta = out.columnMetadata ?? [];
  return (out.records ?? []).map((rec) => {
    const row: Record<string, unknown> = {};
    rec.forEach((f, i) => {
      row[meta[i]?.name ?? `col${i}`] = fieldValue(f, meta[i]?.typeName);
    });
    return row;
  });
}

const TOO_LARGE = /response size|too large|exceed/i;

/** RDS Data API adapter (Aurora PostgreSQL on AWS). `copyIn` batches parameterised INSERTs through
 * BatchExecuteStatement (≤ `batchRows` sets and ≤ `batchBytes` per call, the API takes 4 MiB); `copyOut`
 * pages ExecuteStatement with LIMIT/OFFSET (responses are capped at 1 MiB), so its SQL needs an ORDER BY
 * for a stable order. */
export function openDataApi(options: DataApiOptions): SqlSource {
  // the SDK is loaded on first use: every local command imports this package and would pay its load
  let ready: Promise<{ sdk: typeof import("@aws-sdk/client-rds-data"); client: RDSDataClient }> | undefined;
  const api = () =>
    (ready ??= import("@aws-sdk/client-rds-data").then((sdk) => ({
      sdk,
      client: options.client ?? new sdk.RDSDataClient(options.region ? { region: options.region } : {}),
    })));
  const base = { resourceArn: options.resourceArn, secretArn: options.secretArn, database: options.database };
  const make = (transactionId: string | undefined): SqlSource => {
    const exec = async (sql: string, params: readonly SqlValue[], meta = false) => {
      const { sdk, client } = await api();
      return client.send(
        new sdk.ExecuteStatementCommand({
          ...base,
          sql: mapPlaceholders(sql, (n) => `:p${n}`),
          parameters: params.map((v, i) => toSqlParameter(`p${i + 1}`, v)),
          includeResultMetadata: meta,
          ...(transactionId ? { transactionId } : {}),
        }),
      );
    };
    const self: SqlSource = {
      kind: "data-api",
      async query<R>(sql: string, params: readonly SqlValue[] = []) {
        return rowsOf(await exec(sql, params, true)) as R[];
      },
      async execute(sql, params = []) {
        return (await exec(sql, params)).numberOfRecordsUpdated ?? 0;
      },
      copyOutBytes: (sql, params) => linesAsBytes(self.copyOut(sql, params)),
      maxSessions: 1,
      withSnapshot: (n, fn) => oneSessionSnapshot(self)(n, fn),
      async transaction(fn) {
        if (transactionId) {
          const sp = uniqueName("sp");
          await exec(`SAVEPOINT ${sp}`, []);
          try {
            const r = await fn(self);
            await exec(`RELEASE SAVEPOINT ${sp}`, []);
            return r;
          } catch (e) {
            await exec(`ROLLBACK TO SAVEPOINT ${sp}`, []);
            throw e;
          }
        }
        const { sdk, client } = await api();
        const begun = await client.send(new sdk.BeginTransactionCommand(base));
        const id = begun.transactionId!;
        try {
          const r = await fn(make(id));
          await client.send(new sdk.CommitTransactionCommand({ ...base, transactionId: id }));
          return r;
        } catch (e) {
          await client
            .send(new sdk.RollbackTransactionCommand({ ...base, transactionId: id }))
            .catch(() => {});
          throw e;
        }
      },
      async copyIn(table: string, columns: readonly Column[], lines: AsyncIterable<string>) {
        if (!transactionId) return self.transaction((tx) => tx.copyIn(table, columns, lines));
        const sql = `INSERT INTO ${quoteTable(table)} (${columns.map((c) => quoteIdent(c.name)).join(", ")}) VALUES (${columns.map((_, i) => `:c${i}`).join(", ")})`;
        const maxRows = options.batchRows ?? 1000;
        const maxBytes = options.batchBytes ?? 3 * 1024 * 1024;
        let sets: SqlParameter[][] = [];
        let bytes = 0;
        let total = 0;
        const flush = async () => {
          if (!sets.length) return;
          const { sdk, client } = await api();
          await client.send(
            new sdk.BatchExecuteStatementCommand({ ...base, sql, parameterSets: sets, transactionId }),
          );
          total += sets.length;
          sets = [];
          bytes = 0;
        };
        for await (const item of lines) {
          for (const line of item.includes("\n") ? item.split("\n").filter((l) => l !== "") : [item]) {
            const raw = parseCopyLine(line);
            const set = columns.map((c, i) => columnParameter(`c${i}`, c, raw[i] ?? null));
            // Approximate JSON size: names, values and the notation around them.
            const size = line.length + columns.length * 40;
            if (sets.length >= maxRows || bytes + size > maxBytes) await flush();
            sets.push(set);
            bytes += size;
          }
        }
        await flush();
        return total;
      },
      copyOut(sql, params = []) {
        return (async function* () {
          let pageRows = options.pageRows ?? 1000;
          let offset = 0;
          for (;;) {
            const limit = params.length + 1;
            let out: ExecuteStatementCommandOutput;
            try {
              out = await exec(
                `SELECT * FROM (${sql}) AS q LIMIT $${limit} OFFSET $${limit + 1}`,
                [...params, pageRows, offset],
                true,
              );
            } catch (e) {
              // Over the 1 MiB response limit: the same page in halves.
              if (pageRows > 1 && TOO_LARGE.test((e as Error).message)) {
                pageRows = Math.floor(pageRows / 2);
                continue;
              }
              throw e;
            }
            const meta = out.columnMetadata ?? [];
            const records = out.records ?? [];
            for (const rec of records) yield rawCopyLine(rec.map((f, i) => fieldText(f, meta[i]?.typeName)));
            if (records.length < pageRows) return;
            offset += records.length;
          }
        })();
      },
      async close() {
        if (!options.client && ready) (await ready).client.destroy();
      },
    };
    return self;
  };
  return make(undefined);
}
