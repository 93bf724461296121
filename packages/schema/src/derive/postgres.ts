import type { Column, LogicalType, TableDef } from "../types.ts";

/** PostgreSQL type of a logical type. Timestamps are `timestamptz`: stored as UTC instants. */
export function postgresType(t: LogicalType): string {
  switch (t.kind) {
    case "string":
      return "text";
    case "int32":
      return "integer";
    case "int64":
      return "bigint";
    case "double":
      return "double precision";
    case "decimal":
      return `numeric(${t.precision},${t.scale})`;
    case "boolean":
      return "boolean";
    case "date":
      return "date";
    case "timestamp":
      return "timestamptz";
  }
}

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (s: string): string => `'${s.replaceAll("'", "''")}'`;

function columnDdl(c: Column): string {
  const checks: string[] = [];
  const id = quoteIdent(c.name);
  if (c.enum) checks.push(`${id} IN (${c.enum.map(quoteLiteral).join(", ")})`);
  if (c.min !== undefined) checks.push(`${id} >= ${c.min}`);
  if (c.max !== undefined) checks.push(`${id} <= ${c.max}`);
  const check = checks.length ? ` CHECK (${checks.join(" AND ")})` : "";
  return `  ${id} ${postgresType(c.type)}${c.nullable ? "" : " NOT NULL"}${check}`;
}

/** `CREATE TABLE IF NOT EXISTS` with primary key, foreign keys and checks; plus an index on the version
 * column for incremental extraction. Idempotent. */
export function postgresDdl(t: TableDef): string[] {
  const lines = t.columns.map(columnDdl);
  lines.push(`  PRIMARY KEY (${t.primaryKey.map(quoteIdent).join(", ")})`);
  for (const fk of t.foreignKeys ?? []) {
    lines.push(
      `  FOREIGN KEY (${fk.columns.map(quoteIdent).join(", ")}) REFERENCES ${quoteIdent(fk.references.table)} (${fk.references.columns.map(quoteIdent).join(", ")})`,
    );
  }
  const stmts = [`CREATE TABLE IF NOT EXISTS ${quoteIdent(t.name)} (\n${lines.join(",\n")}\n)`];
  if (t.versionColumn) {
    stmts.push(
      `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${t.name}_${t.versionColumn}_idx`)} ON ${quoteIdent(t.name)} (${quoteIdent(t.versionColumn)})`,
    );
  }
  return stmts;
}
