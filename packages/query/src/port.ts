import type { LogicalType } from "@hotels/schema";

export type QueryParam = string | number | boolean | null;

export interface ResultColumn {
  readonly name: string;
  readonly type: LogicalType | { readonly kind: "unknown"; readonly engineType: string };
}

/** A typed result: decimals as canonical strings, dates as `YYYY-MM-DD`, timestamps as `Date`, bigint
 * columns as numbers (when safe). */
export interface QueryResult {
  readonly queryId: string;
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly Record<string, unknown>[];
  /** Objects the engine read (files locally; bytes scanned on Athena), when known. */
  readonly stats?: {
    readonly filesScanned?: number;
    readonly bytesScanned?: number;
    readonly millis: number;
  };
}

/** The query engine port (Athena): every catalogued table visible as `<zone>.<table>`. Parameters are
 * bound positionally (`?`), never concatenated. */
export interface QueryEngine {
  readonly kind: "duckdb" | "athena";
  query(
    sql: string,
    params?: readonly QueryParam[],
    options?: { readonly signal?: AbortSignal },
  ): Promise<QueryResult>;
  close(): Promise<void>;
}
