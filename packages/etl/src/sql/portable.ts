import { type Column, type LogicalType, sparkType } from "@hotels/schema";

/** Portable SQL helpers: every expression they build stays inside the subset documented in README.md
 * (accepted unchanged by DuckDB and by Spark SQL 3.5, the engine of Glue 5.0). */

/** Identifiers are left unquoted: DuckDB quotes with `"`, Spark with a backtick, so a portable identifier
 * is one that needs no quoting. Throws on any other name (the schema only uses snake_case). */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a portable SQL identifier: ${name}`);
  return name;
}

/** A string literal. Spark treats `\` in literals as an escape and DuckDB does not, so a portable literal
 * holds no backslash. */
export function lit(s: string): string {
  if (s.includes("\\")) throw new Error(`a portable SQL literal holds no backslash: ${s}`);
  return `'${s.replaceAll("'", "''")}'`;
}

/** The SQL type of a logical type, in the spelling both engines accept (`string`, `int`, `decimal(p,s)`...). */
export function sqlType(t: LogicalType): string {
  return sparkType(t);
}

/** `CAST(expr AS type)` to a column's type. */
export function castTo(c: Column, expr: string): string {
  return `CAST(${expr} AS ${sqlType(c.type)})`;
}

/** A schema pattern (JS RegExp) as a regex both RE2 (DuckDB) and java.util.regex (Spark) read the same
 * way; `\s` becomes a class of the literal whitespace characters, any other escape is refused. */
export function portableRegex(re: RegExp): string {
  const src = re.source.replaceAll("\\s", " \t\n");
  if (src.includes("\\")) throw new Error(`pattern ${re.source} uses an escape outside the portable subset`);
  return src;
}

/** `SELECT` list in schema column order from a column → expression map, each cast to its column type. */
export function projection(columns: readonly Column[], exprs: Readonly<Record<string, string>>): string {
  const missing = columns.filter((c) => !(c.name in exprs)).map((c) => c.name);
  const extra = Object.keys(exprs).filter((k) => !columns.some((c) => c.name === k));
  if (missing.length || extra.length)
    throw new Error(`projection: missing ${missing.join(",") || "-"}; unknown ${extra.join(",") || "-"}`);
  return columns.map((c) => `${castTo(c, exprs[c.name]!)} AS ${ident(c.name)}`).join(",\n  ");
}
