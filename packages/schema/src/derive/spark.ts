import type { LogicalType } from "../types.ts";

/** Spark SQL type name of a logical type (for the generated Glue PySpark script). */
export function sparkType(t: LogicalType): string {
  switch (t.kind) {
    case "string":
      return "string";
    case "int32":
      return "int";
    case "int64":
      return "bigint";
    case "double":
      return "double";
    case "decimal":
      return `decimal(${t.precision},${t.scale})`;
    case "boolean":
      return "boolean";
    case "date":
      return "date";
    case "timestamp":
      return "timestamp";
  }
}
