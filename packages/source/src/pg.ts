import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import type { Column } from "@hotels/schema";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { chunkLines, linesAsBytes, rawCopyLine, splitLines } from "./copy-text.ts";
import type { SqlSource, SqlValue } from "./port.ts";
import { quoteIdent, quoteTable, uniqueName } from "./sql.ts";

export interface PgOptions {
  /** Schema put first on every session's `search_path` (created if missing); default: the server's. Tests
   * use one per run so runs sharing a database don't collide. */
  readonly schema?: string;
  /** Connections in the pool (default 4). A transaction or a COPY holds one for its duration. */
  readonly maxConnections?: number;
  /** Rows per cursor page when `copyOut` has parameters (default 10,000). */
  readonly fetchRows?: number;
}

/** Every type as raw text: `copyOut` with parameters needs values exactly as COPY would write them. */
const RAW_TYPES = { getTypeParser: () => (x: string) => x } as unknown as pg.CustomTypesConfig;

/** int8 and numeric stay strings in node-postgres by default; ids here are far below 2^53, so bigint
 * becomes a number (as the schema's int64 values are); numeric stays a canonical string. */
const TYPES = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20) return (x: string) => Number(x);
    // Dates stay ISO `YYYY-MM-DD` strings (a calendar date has no time zone).
    if (oid === 1082) return (x: string) => x;
    return pg.types.getTypeParser(oid, format as "text");
  },
} as pg.CustomTypesConfig;

/** node-postgres against any PostgreSQL (`DATABASE_URL`), COPY through pg-copy-streams. */
export async function openPg(url: string, options: PgOptions = {}): Promise<SqlSource> {
  const searchPath = options.schema ? `-c search_path=${options.schema},public` : "";
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    options: `-c TimeZone=UTC ${searchPath}`.trim(),
    types: TYPES,
  });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it, the next query reports any real outage.
  });
  if (options.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
  else await pool.query("SELECT 1");
  return adapter(pool, options, async () => {
    await pool.end();
  });
}

type Queryable = pg.Pool | pg.PoolClient;

function isPool(q: Queryable): q is pg.Pool {
  return q instanceof pg.Pool;
}

/** Runs `fn` with a dedicated connection (the transaction's own, or a pooled one released after). */
async function withClient<T>(q: Queryable, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  if (!isPool(q)) return fn(q);
  const c = await q.connect();
  try {
    return await fn(c);
  } finally {
    c.release();
  }
}

function adapter(q: Queryable, options: PgOptions, close: () => Promise<void>): SqlSource {
  const fetchRows = options.fetchRows ?? 10_000;
  const self: SqlSource = {
    kind: "pg",
    async query<R>(sql: string, params: readonly SqlValue[] = []) {
      const r = await q.query(sql, params as unknown[]);
      return r.rows as R[];
    },
    async execute(sql, params = []) {
      const r = await q.query(sql, params as unknown[]);
      return r.rowCount ?? 0;
    },
    async transaction(fn) {
      if (!isPool(q)) {
        // Nested: a savepoint, so a failure rolls back only the inner work.
        const sp = uniqueName("sp");
        await q.query(`SAVEPOINT ${sp}`);
        try {
          const r = await fn(adapter(q, options, async () => {}));
          await q.query(`RELEASE SAVEPOINT ${sp}`);
          return r;
        } catch (e) {
          await q.query(`ROLLBACK TO SAVEPOINT ${sp}`);
          throw e;
        }
      }
      const c = await q.connect();
      try {
        await c.query("BEGIN");
        const r = await fn(adapter(c, options, async () => {}));
        await c.query("COMMIT");
        return r;
      } catch (e) {
        await c.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    },
    copyIn(table: string, columns: readonly Column[], lines: AsyncIterable<string>) {
      return withClient(q, async (c) => {
        const stream = c.query(
          copyFrom(
            `COPY ${quoteTable(table)} (${columns.map((col) => quoteIdent(col.name)).join(", ")}) FROM STDIN`,
          ),
        );
        await pipeline(Readable.from(chunkLines(lines, 1 << 16)), stream);
        return Number(stream.rowCount ?? 0);
      });
    },
    copyOut(sql, params = []) {
      return (async function* () {
        const own = isPool(q);
        const c = isPool(q) ? await q.connect() : q;
        // Set once the connection is back to idle; a consumer that stops early leaves it mid-COPY or
        // mid-transaction, so a pooled connection is then discarded rather than reused.
        let clean = false;
        try {
          if (params.length === 0) {
            const stream = c.query(copyTo(`COPY (${sql}) TO STDOUT`));
            const decoder = new StringDecoder("utf8");
            yield* splitLines(
              (async function* () {
                for await (const chunk of stream) yield decoder.write(chunk as Buffer);
                yield decoder.end();
              })(),
            );
            clean = true;
            return;
          }
          // COPY takes no bind parameters: page a cursor instead, values as raw text.
          if (own) await c.query("BEGIN");
          const cursor = uniqueName("copyout");
          await c.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`, params as unknown[]);
          for (;;) {
            const page = await c.query<(string | null)[]>({
              text: `FETCH ${fetchRows} FROM ${cursor}`,
              rowMode: "array",
              types: RAW_TYPES,
            });
            for (const row of page.rows) yield rawCopyLine(row);
            if (page.rows.length < fetchRows) break;
          }
          await c.query(`CLOSE ${cursor}`);
          if (own) await c.query("COMMIT");
          clean = true;
        } finally {
          if (own) (c as pg.PoolClient).release(!clean);
        }
      })();
    },
    copyOutBytes(sql, params = []) {
      if (params.length > 0) return linesAsBytes(self.copyOut(sql, params));
      return (async function* () {
        const own = isPool(q);
        const c = isPool(q) ? await q.connect() : q;
        let clean = false;
        try {
          // The server's chunks, cut after their last `\n` so each chunk holds whole rows.
          let rest: Buffer | undefined;
          for await (const raw of c.query(copyTo(`COPY (${sql}) TO STDOUT`))) {
            const chunk = rest ? Buffer.concat([rest, raw as Buffer]) : (raw as Buffer);
            const end = chunk.lastIndexOf(10) + 1;
            rest = end < chunk.length ? chunk.subarray(end) : undefined;
            if (end > 0) yield chunk.subarray(0, end);
          }
          if (rest) yield rest;
          clean = true;
        } finally {
          if (own) (c as pg.PoolClient).release(!clean);
        }
      })();
    },
    maxSessions: isPool(q) ? (options.maxConnections ?? 4) : 1,
    async withSnapshot<T>(n: number, fn: (sessions: readonly SqlSource[]) => Promise<T>): Promise<T> {
      if (n > self.maxSessions) throw new Error(`withSnapshot: ${n} sessions, at most ${self.maxSessions}`);
      if (!isPool(q)) return fn(Array(n).fill(self));
      // The first session exports its snapshot; the others adopt it before their first query.
      return self.transaction(async (lead) => {
        await lead.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        const [row] = await lead.query<{ id: string }>("SELECT pg_export_snapshot() AS id");
        const id = row!.id;
        if (!/^[0-9A-F-]+$/i.test(id)) throw new Error(`unexpected snapshot id ${JSON.stringify(id)}`);
        const join = (sessions: SqlSource[]): Promise<T> =>
          sessions.length === n
            ? fn(sessions)
            : self.transaction(async (tx) => {
                await tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                await tx.execute(`SET TRANSACTION SNAPSHOT '${id}'`);
                return join([...sessions, tx]);
              });
        return join([lead]);
      });
    },
    close,
  };
  return self;
}
