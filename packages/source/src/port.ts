import type { Column, TableDef } from "@hotels/schema";

/** A bound parameter value. Dates are ISO `YYYY-MM-DD` strings, decimals canonical strings. */
export type SqlValue = string | number | boolean | Date | null;

/** The SQL source port: the Hotels.com database (RDS Aurora PostgreSQL on AWS). Adapters: PGlite (local
 * default, on disk), node-postgres (`DATABASE_URL`), RDS Data API (AWS). Values are always bound as
 * `$1..$n` parameters, never concatenated into SQL. */
export interface SqlSource {
  /** `pglite`, `pg` or `data-api`; for messages and benchmarks, never for branching pipeline logic. */
  readonly kind: "pglite" | "pg" | "data-api";
  /** Runs one statement and returns its rows as plain objects. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** Runs one statement and returns the affected row count. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlSource) => Promise<T>): Promise<T>;
  /** Bulk load: streams COPY-text lines (tab-separated, `\N` null; see `copyTextLine` in the schema) into
   * `table`'s `columns`; an item may hold several lines joined by `\n` (fewer, bigger writes). Adapters
   * without COPY batch parameterised statements. Returns rows written. */
  copyIn(table: string, columns: readonly Column[], lines: AsyncIterable<string>): Promise<number>;
  /** Bulk read: streams the result of `sql` as COPY-text lines (`COPY (sql) TO STDOUT`). */
  copyOut(sql: string, params?: readonly SqlValue[]): AsyncIterable<string>;
  /** The same COPY text as `copyOut`, as UTF-8 chunks that each end with a row's `\n`: for bulk readers
   * that write it on as it comes (no per-row work in JavaScript). */
  copyOutBytes(sql: string, params?: readonly SqlValue[]): AsyncIterable<Uint8Array>;
  /** Sessions that can read at once: the connection pool's size for `pg`; 1 for PGlite and the Data API. */
  readonly maxSessions: number;
  /** Runs `fn` with `n` (≤ `maxSessions`) sessions that all read ONE snapshot of the database, so a read
   * split across them sees every row exactly once while writers commit (PostgreSQL exported snapshots, as
   * pg_dump's parallel jobs use). Read-only. */
  withSnapshot<T>(n: number, fn: (sessions: readonly SqlSource[]) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Applies the schema's migrations; idempotent. */
export interface Migrator {
  migrate(source: SqlSource, tables?: readonly TableDef[]): Promise<{ applied: string[]; version: number }>;
}
