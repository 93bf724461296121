import { PGlite, type Transaction, types } from "@electric-sql/pglite";
import type { Column } from "@hotels/schema";
import { linesAsBytes, rawCopyLine } from "./copy-text.ts";
import type { SqlSource, SqlValue } from "./port.ts";
import { oneSessionSnapshot } from "./snapshot.ts";
import { quoteIdent, quoteTable, uniqueName } from "./sql.ts";

export interface PgliteOptions {
  /** Data directory; undefined = in memory (tests). */
  readonly dataDir?: string;
  /** Lines per `COPY … FROM '/dev/blob'` in `copyIn` (default 50,000): bounds the blob held in memory. */
  readonly copyBatchLines?: number;
  /** Rows fetched per cursor page in `copyOut` (default 10,000): bounds the page held in memory. */
  readonly fetchRows?: number;
}

/** Raw text parsers for every built-in type: `copyOut` needs each value's text output as COPY writes it. */
const RAW: Record<number, (x: string) => string> = {};
for (const v of Object.values(types)) if (typeof v === "number") RAW[v] = (x) => x;

type Executor = Pick<Transaction, "query" | "exec">;

/** The embedded default: PGlite (PostgreSQL in WebAssembly), on disk or in memory. */
export async function openPglite(options: PgliteOptions = {}): Promise<SqlSource> {
  const db = await PGlite.create({
    dataDir: options.dataDir,
    // The schema's value conventions: int64 ids as numbers (far below 2^53), dates as ISO strings.
    parsers: { [types.INT8]: (x: string) => Number(x), [types.DATE]: (x: string) => x },
  });
  await db.exec("SET TimeZone = 'UTC'");
  return adapter(db, options, {
    async transaction(fn) {
      return db.transaction((tx) => fn(adapter(tx, options, nested(tx))));
    },
    close: () => db.close(),
  });
}

function nested(tx: Executor): Pick<SqlSource, "transaction" | "close"> {
  return {
    // A transaction inside a transaction is a savepoint: its failure rolls back only its own work.
    async transaction(fn) {
      const sp = uniqueName("sp");
      await tx.exec(`SAVEPOINT ${sp}`);
      try {
        const r = await fn(adapter(tx, {}, nested(tx)));
        await tx.exec(`RELEASE SAVEPOINT ${sp}`);
        return r;
      } catch (e) {
        await tx.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
        throw e;
      }
    },
    close: async () => {},
  };
}

function adapter(
  db: Executor,
  options: PgliteOptions,
  rest: Pick<SqlSource, "transaction" | "close">,
): SqlSource {
  const copyBatch = options.copyBatchLines ?? 50_000;
  const fetchRows = options.fetchRows ?? 10_000;
  const self: SqlSource = {
    kind: "pglite",
    async query<R>(sql: string, params: readonly SqlValue[] = []) {
      const r = await db.query<R>(sql, params as unknown[]);
      return r.rows;
    },
    async execute(sql, params = []) {
      const r = await db.query(sql, params as unknown[]);
      return r.affectedRows ?? 0;
    },
    transaction: rest.transaction,
    async *copyOutBytes(sql, params = []) {
      // COPY takes no parameters: with some, the cursor's lines.
      if (params.length > 0) {
        yield* linesAsBytes(self.copyOut(sql, params));
        return;
      }
      // One `COPY … TO '/dev/blob'`: PGlite writes the COPY text in WebAssembly, where the cursor path
      // builds a JavaScript row per record (119k bookings: 0.9 s against 7.4 s). The result is held in
      // memory once: 21 MB for the real data set, ~180 MB for 1M generated bookings (`DATABASE_URL`
      // streams instead).
      const r = await db.query(`COPY (${sql}) TO '/dev/blob'`);
      const bytes = r.blob ? new Uint8Array(await r.blob.arrayBuffer()) : new Uint8Array();
      if (bytes.length > 0) yield bytes;
    },
    maxSessions: 1,
    withSnapshot: (n, fn) => oneSessionSnapshot(self)(n, fn),
    async copyIn(table: string, columns: readonly Column[], lines: AsyncIterable<string>) {
      const copy = `COPY ${quoteTable(table)} (${columns.map((c) => quoteIdent(c.name)).join(", ")}) FROM '/dev/blob'`;
      let buf: string[] = [];
      let total = 0;
      const flush = async () => {
        if (!buf.length) return;
        const r = await db.query(copy, [], { blob: new Blob([`${buf.join("\n")}\n`]) });
        total += r.affectedRows ?? 0;
        buf = [];
      };
      let pending = 0;
      for await (const item of lines) {
        buf.push(item);
        pending += item.length > 0 ? 1 + (item.match(/\n/g)?.length ?? 0) : 1;
        if (pending >= copyBatch) {
          await flush();
          pending = 0;
        }
      }
      await flush();
      return total;
    },
    copyOut(sql, params = []) {
      // A cursor pages the result (PGlite's COPY TO '/dev/blob' would hold it all). WITH HOLD lets it
      // outlive the statement, so the consumer may run other queries on this single session between
      // pages. Values come back as raw text so each line is what COPY TO STDOUT writes.
      return (async function* () {
        const cursor = uniqueName("copyout");
        await db.query(`DECLARE ${cursor} NO SCROLL CURSOR WITH HOLD FOR ${sql}`, params as unknown[]);
        try {
          for (;;) {
            const page = await db.query<(string | null)[]>(`FETCH ${fetchRows} FROM ${cursor}`, [], {
              rowMode: "array",
              parsers: RAW,
            });
            for (const row of page.rows) yield rawCopyLine(row);
            if (page.rows.length < fetchRows) break;
          }
        } finally {
          await db.exec(`CLOSE ${cursor}`);
        }
      })();
    },
    close: rest.close,
  };
  return self;
}
