import type { ObjectStore } from "@hotels/lake";
import type { QueryParam, QueryResult } from "./port.ts";

/** Text of a cell as Athena writes it to CSV: dates `YYYY-MM-DD`, timestamps ISO 8601, null empty. */
export function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

const quote = (v: unknown): string => {
  if (v === null || v === undefined) return "";
  if (typeof v === "number" || typeof v === "boolean") return `"${v}"`;
  const t = v instanceof Date ? v.toISOString() : String(v);
  return t.includes('"') ? `"${t.replaceAll('"', '""')}"` : `"${t}"`;
};

/** The result as CSV with a header row; every value is quoted, a null is an empty unquoted field (as
 * Athena writes its result files). Hand-rolled: with every field quoted there is nothing to decide, and
 * it runs ~2.5× faster than csv-stringify on large results, which every query pays. */
export function resultCsv(result: Pick<QueryResult, "columns" | "rows">): string {
  const names = result.columns.map((c) => c.name);
  return columnsCsv(
    names,
    names.map((n) => result.rows.map((r) => r[n])),
  );
}

/** `resultCsv` of a result held column by column (`data[column][row]`): each column is quoted in one pass,
 * then lines are joined, so no row object is looked up per cell. */
export function columnsCsv(names: readonly string[], data: readonly (readonly unknown[])[]): string {
  const rows = data[0]?.length ?? 0;
  const cells = data.map((col) => col.map(quote));
  const lines: string[] = new Array(rows + 1);
  lines[0] = names.map(quote).join(",");
  for (let r = 0; r < rows; r++) {
    let line = cells[0]![r]!;
    for (let i = 1; i < cells.length; i++) line += `,${cells[i]![r]}`;
    lines[r + 1] = line;
  }
  return `${lines.join("\n")}\n`;
}

/** The metadata written beside a result: what ran, with which parameters, and the typed columns. */
export interface ResultMetadata {
  readonly queryId: string;
  readonly sql: string;
  readonly params: readonly QueryParam[];
  readonly columns: QueryResult["columns"];
  readonly rows: number;
  readonly submittedAt: string;
  readonly stats?: QueryResult["stats"];
}

/** Writes `<queryId>.csv` and `<queryId>.csv.metadata` (JSON) to the query-results bucket, as Athena does
 * in its output location. Returns the CSV key. */
export async function writeResult(
  store: ObjectStore,
  bucket: string,
  result: QueryResult,
  meta: Omit<ResultMetadata, "queryId" | "columns" | "rows" | "stats">,
  /** The same rows column by column, when the engine has them (spares a pass over the row objects). */
  data?: readonly (readonly unknown[])[],
): Promise<string> {
  const key = `${result.queryId}.csv`;
  const metadata: ResultMetadata = {
    queryId: result.queryId,
    ...meta,
    columns: result.columns,
    rows: result.rows.length,
    ...(result.stats ? { stats: result.stats } : {}),
  };
  // Written side by side: the pair is complete when the query returns, and each object is atomic.
  await Promise.all([
    store.put(
      bucket,
      key,
      data
        ? columnsCsv(
            result.columns.map((c) => c.name),
            data,
          )
        : resultCsv(result),
    ),
    store.put(bucket, `${key}.metadata`, JSON.stringify(metadata, null, 2)),
  ]);
  return key;
}
