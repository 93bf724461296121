import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { QueryEngine, QueryParam, QueryResult } from "./port.ts";
import { tokenize } from "./sql-lex.ts";

/** Where the named queries live: `packages/query/sql/<name>.sql`. */
export const NAMED_QUERY_DIR = path.resolve(import.meta.dirname, "../sql");

export type NamedParamType = "string" | "int" | "double" | "date";

export interface NamedQueryParam {
  readonly name: string;
  readonly type: NamedParamType;
  readonly optional: boolean;
  readonly description: string;
}

export interface NamedQuery {
  readonly name: string;
  /** The header comment's text (before the `@param` lines). */
  readonly description: string;
  readonly params: readonly NamedQueryParam[];
  /** The SQL as written (header included): what Athena stores as the named query. */
  readonly sql: string;
  /** The parameter each `?` binds, in order (`? /* name *\/` in the SQL). */
  readonly bindings: readonly string[];
}

const PARAM_LINE =
  /^--\s*@param\s+([a-z_][a-z0-9_]*)\s+(string|int|double|date)\s+(optional\s+|required\s+)?(.*)$/i;

/** Parses one named query file: its header comment documents the query and its parameters
 * (`-- @param hotel string optional only this hotel`), and every `?` is followed by a comment naming the
 * parameter it binds (`? /* hotel *\/`), so a parameter may appear more than once. */
export function parseNamedQuery(name: string, sql: string): NamedQuery {
  const description: string[] = [];
  const params: NamedQueryParam[] = [];
  for (const line of sql.split("\n")) {
    const l = line.trim();
    if (!l.startsWith("--")) {
      if (l === "") continue;
      break;
    }
    const m = PARAM_LINE.exec(l);
    if (m) {
      params.push({
        name: m[1]!,
        type: m[2]!.toLowerCase() as NamedParamType,
        optional: (m[3] ?? "").trim().toLowerCase() === "optional",
        description: m[4]!.trim(),
      });
    } else if (/^--\s*@/.test(l)) {
      throw new Error(`${name}.sql: unknown header line ${JSON.stringify(l)}`);
    } else description.push(l.replace(/^--\s?/, ""));
  }
  const tokens = tokenize(sql).filter((t) => t.kind !== "space");
  const bindings: string[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== "param") return;
    const c = tokens[i + 1];
    const m = c?.kind === "comment" ? /^\/\*\s*([a-z_][a-z0-9_]*)\s*\*\/$/i.exec(c.text) : null;
    if (!m) throw new Error(`${name}.sql: a ? placeholder is not followed by /* param name */`);
    if (!params.some((p) => p.name === m[1]))
      throw new Error(`${name}.sql: ? binds undeclared parameter ${m[1]}`);
    bindings.push(m[1]!);
  });
  for (const p of params)
    if (!bindings.includes(p.name))
      throw new Error(`${name}.sql: parameter ${p.name} is declared but never bound`);
  if (description.length === 0) throw new Error(`${name}.sql: no header comment describing the query`);
  return { name, description: description.join(" ").trim(), params, sql, bindings };
}

let cache: NamedQuery[] | undefined;

/** Every named query in `sql/`, sorted by name. Infra turns each into an `aws_athena_named_query`. */
export function namedQueries(dir = NAMED_QUERY_DIR): NamedQuery[] {
  if (dir !== NAMED_QUERY_DIR || !cache) {
    const list = readdirSync(dir)
      .filter((f) => f.endsWith(".sql"))
      .sort()
      .map((f) => parseNamedQuery(f.slice(0, -4), readFileSync(path.join(dir, f), "utf8")));
    if (dir !== NAMED_QUERY_DIR) return list;
    cache = list;
  }
  return cache;
}

export function namedQuery(name: string): NamedQuery {
  const q = namedQueries().find((x) => x.name === name);
  if (!q)
    throw new Error(
      `no named query ${JSON.stringify(name)}; known: ${namedQueries()
        .map((x) => x.name)
        .join(", ")}`,
    );
  return q;
}

/** Converts a parameter value (a CLI string or a typed value) to the declared type; throws naming the
 * parameter when it does not fit. */
export function coerceParam(p: NamedQueryParam, v: unknown): QueryParam {
  if (v === undefined || v === null || v === "") {
    if (p.optional) return null;
    throw new Error(`parameter ${p.name} (${p.type}) is required`);
  }
  const bad = () => new Error(`parameter ${p.name}: ${JSON.stringify(v)} is not a ${p.type}`);
  switch (p.type) {
    case "string":
      if (typeof v !== "string") throw bad();
      return v;
    case "int": {
      const n = typeof v === "number" ? v : /^[+-]?\d+$/.test(String(v).trim()) ? Number(v) : Number.NaN;
      if (!Number.isSafeInteger(n)) throw bad();
      return n;
    }
    case "double": {
      const n = typeof v === "number" ? v : String(v).trim() === "" ? Number.NaN : Number(v);
      if (!Number.isFinite(n)) throw bad();
      return n;
    }
    case "date":
      if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw bad();
      return v;
  }
}

/** The positional values of a named query's `?`s from named parameters; unknown names are an error. */
export function bindNamedParams(q: NamedQuery, params: Readonly<Record<string, unknown>> = {}): QueryParam[] {
  for (const k of Object.keys(params))
    if (!q.params.some((p) => p.name === k))
      throw new Error(
        `${q.name} has no parameter ${k}; it takes: ${q.params.map((p) => p.name).join(", ") || "none"}`,
      );
  const values = new Map(q.params.map((p) => [p.name, coerceParam(p, params[p.name])]));
  return q.bindings.map((b) => values.get(b)!);
}

/** Runs a named query with named parameters (CLI strings are converted to the declared types). */
export function runNamedQuery(
  engine: QueryEngine,
  name: string,
  params: Readonly<Record<string, unknown>> = {},
  options: { readonly signal?: AbortSignal } = {},
): Promise<QueryResult> {
  const q = namedQuery(name);
  return engine.query(q.sql, bindNamedParams(q, params), options);
}
