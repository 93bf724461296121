import type { LogicalType, TableDef } from "../types.ts";
import { quoteIdent } from "./postgres.ts";

/** DuckDB type of a logical type; DuckDB writes it to Parquet as the matching physical/logical type.
 * Timestamps are `TIMESTAMP` holding UTC (Parquet INT64 TIMESTAMP_MICROS, which Athena and Spark read). */
export function duckdbType(t: LogicalType): string {
  switch (t.kind) {
    case "string":
      return "VARCHAR";
    case "int32":
      return "INTEGER";
    case "int64":
      return "BIGINT";
    case "double":
      return "DOUBLE";
    case "decimal":
      return `DECIMAL(${t.precision},${t.scale})`;
    case "boolean":
      return "BOOLEAN";
    case "date":
      return "DATE";
    case "timestamp":
      return "TIMESTAMP";
  }
}

/** Parquet physical type and logical annotation of a logical type. */
export function parquetType(t: LogicalType): { physical: string; logical?: string } {
  switch (t.kind) {
    case "string":
      return { physical: "BYTE_ARRAY", logical: "STRING" };
    case "int32":
      return { physical: "INT32" };
    case "int64":
      return { physical: "INT64" };
    case "double":
      return { physical: "DOUBLE" };
    case "decimal":
      return {
        physical: t.precision <= 9 ? "INT32" : t.precision <= 18 ? "INT64" : "FIXED_LEN_BYTE_ARRAY",
        logical: `DECIMAL(${t.precision},${t.scale})`,
      };
    case "boolean":
      return { physical: "BOOLEAN" };
    case "date":
      return { physical: "INT32", logical: "DATE" };
    case "timestamp":
      return { physical: "INT64", logical: "TIMESTAMP(MICROS,true)" };
  }
}

/** `CREATE TABLE` for DuckDB (data columns then partition columns). */
export function duckdbCreateTable(t: TableDef, name = quoteIdent(t.name)): string {
  const cols = [...t.columns, ...(t.partitionKeys ?? [])].map(
    (c) => `${quoteIdent(c.name)} ${duckdbType(c.type)}${c.nullable ? "" : " NOT NULL"}`,
  );
  return `CREATE TABLE ${name} (${cols.join(", ")})`;
}

/** DuckDB `read_parquet(..., columns=...)`-style struct of column types, e.g. for `read_csv(columns=)`. */
export function duckdbColumnsStruct(t: TableDef): string {
  return `{${t.columns.map((c) => `'${c.name}': '${duckdbType(c.type)}'`).join(", ")}}`;
}
