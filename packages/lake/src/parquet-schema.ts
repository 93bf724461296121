import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ObjectStore } from "./port.ts";

/** A top-level column of a Parquet file, with the Glue/Hive type it maps to. */
export interface ParquetColumn {
  readonly name: string;
  readonly type: string;
}

/** Reads the column list of Parquet objects; a file that cannot be read maps to an Error. */
export type ParquetColumnsReader = (
  store: ObjectStore,
  bucket: string,
  keys: readonly string[],
) => Promise<Map<string, ParquetColumn[] | Error>>;

interface SchemaRow {
  name: string;
  type: string | null;
  converted_type: string | null;
  logical_type: string | null;
  precision: bigint | number | null;
  scale: bigint | number | null;
  num_children: bigint | number | null;
}

/** The Glue/Hive type a Parquet leaf column reads as (what Athena would map it to). */
export function parquetGlueType(r: Omit<SchemaRow, "name" | "num_children">): string {
  const conv = r.converted_type ?? "";
  const logical = r.logical_type ?? "";
  if (conv === "DECIMAL" || logical.startsWith("DecimalType")) return `decimal(${r.precision},${r.scale})`;
  if (conv === "DATE" || logical.startsWith("DateType")) return "date";
  if (conv.startsWith("TIMESTAMP") || logical.startsWith("TimestampType") || r.type === "INT96")
    return "timestamp";
  if (["UTF8", "ENUM", "JSON"].includes(conv) || logical.startsWith("StringType")) return "string";
  switch (r.type) {
    case "BOOLEAN":
      return "boolean";
    case "INT32":
      return conv === "INT_8" ? "tinyint" : conv === "INT_16" ? "smallint" : "int";
    case "INT64":
      return "bigint";
    case "FLOAT":
      return "float";
    case "DOUBLE":
      return "double";
    case "BYTE_ARRAY":
    case "FIXED_LEN_BYTE_ARRAY":
      return "binary";
    default:
      return String(r.type ?? "unknown").toLowerCase();
  }
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Default reader: DuckDB's `parquet_schema()` (footer only). Objects of a store without local paths (S3)
 * are downloaded to a temp folder first (DuckDB here has no httpfs). */
export const duckdbParquetColumns: ParquetColumnsReader = async (store, bucket, keys) => {
  const out = new Map<string, ParquetColumn[] | Error>();
  if (keys.length === 0) return out;
  // Loaded on first use: the native module is not needed by commands that never crawl.
  const { DuckDBInstance } = await import("./duckdb.ts");
  const db = await DuckDBInstance.create();
  const c = await db.connect();
  let tmp: string | undefined;
  try {
    for (const [i, key] of keys.entries()) {
      let file = store.localPath?.(bucket, key);
      if (!file) {
        tmp ??= await mkdtemp(path.join(tmpdir(), "crawl-"));
        file = path.join(tmp, `${i}.parquet`);
        await writeFile(file, await store.get(bucket, key));
      }
      try {
        const r = await c.runAndReadAll(
          `select name, type, converted_type, logical_type, precision, scale, num_children from parquet_schema(${quote(file)})`,
        );
        const rows = r.getRowObjects() as unknown as SchemaRow[];
        // Row 0 is the root group; this lake's tables are flat, so leaves are the remaining rows.
        out.set(
          key,
          rows.slice(1).map((x) => ({ name: x.name, type: x.type === null ? "struct" : parquetGlueType(x) })),
        );
      } catch (e) {
        out.set(key, e instanceof Error ? e : new Error(String(e)));
      }
    }
  } finally {
    c.closeSync();
    db.closeSync();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
  return out;
};
