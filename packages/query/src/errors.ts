/** A query the engine refused or failed: the engine's own message, and where in the SQL when it says so. */
export class QueryError extends Error {
  override readonly name = "QueryError";
  constructor(
    message: string,
    readonly details: {
      readonly engine: "duckdb" | "athena";
      readonly queryId?: string;
      /** 1-based line and column in the SQL text, when the engine reports them. */
      readonly position?: { readonly line: number; readonly column: number };
      /** Athena's error category/type or DuckDB's error type, when known. */
      readonly code?: string;
    },
  ) {
    super(message);
  }
}

/** The query was cancelled through its AbortSignal. */
export class QueryAbortedError extends Error {
  override readonly name = "AbortError";
  constructor(readonly queryId: string) {
    super(`query ${queryId} was cancelled`);
  }
}

/** 1-based line/column of a character offset in `sql`. */
export function positionOf(sql: string, offset: number): { line: number; column: number } {
  const before = sql.slice(0, Math.max(0, Math.min(offset, sql.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/** Position in a Trino/Athena message (`line 1:8: Column 'x' cannot be resolved`). */
export function trinoPosition(message: string): { line: number; column: number } | undefined {
  const m = /line (\d+):(\d+)/i.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}
