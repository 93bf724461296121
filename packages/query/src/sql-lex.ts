/** A small SQL lexer, enough to reason about SQL text without executing it: which functions a query calls,
 * where its `?` placeholders are, which `<zone>.<table>` names it reads. Strings, quoted identifiers and
 * comments are single tokens, so nothing inside them is mistaken for code. */
export type TokenKind = "word" | "quoted" | "string" | "number" | "param" | "punct" | "comment" | "space";

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Offset in the SQL text. */
  readonly start: number;
}

const RULES: readonly [TokenKind, RegExp][] = [
  ["space", /\s+/y],
  ["comment", /--[^\n]*/y],
  ["comment", /\/\*[\s\S]*?(?:\*\/|$)/y],
  ["string", /'(?:[^']|'')*(?:'|$)/y],
  ["quoted", /"(?:[^"]|"")*(?:"|$)/y],
  ["quoted", /`(?:[^`]|``)*(?:`|$)/y],
  ["number", /\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?/y],
  ["word", /[A-Za-z_][A-Za-z0-9_$]*/y],
  ["param", /\?/y],
  ["punct", /::|<>|!=|<=|>=|\|\||[^\sA-Za-z0-9_]/y],
];

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    let matched = false;
    for (const [kind, re] of RULES) {
      re.lastIndex = i;
      const m = re.exec(sql);
      if (m && m[0].length > 0) {
        out.push({ kind, text: m[0], start: i });
        i += m[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) {
      out.push({ kind: "punct", text: sql[i]!, start: i });
      i += 1;
    }
  }
  return out;
}

const code = (tokens: readonly Token[]) => tokens.filter((t) => t.kind !== "space" && t.kind !== "comment");

/** Words used as SQL syntax followed by `(` that are not functions. */
const NOT_FUNCTIONS = new Set([
  "in",
  "exists",
  "as",
  "on",
  "using",
  "values",
  "over",
  "filter",
  "and",
  "or",
  "not",
  "from",
  "join",
  "select",
  "where",
  "with",
  "any",
  "all",
  "some",
  "when",
  "then",
  "else",
  "by",
  "union",
  "intersect",
  "except",
  "within",
  "row",
  "is",
  "like",
  "between",
  "case",
  "interval",
  "decimal",
  "varchar",
  "char",
  "numeric",
  "into",
]);

/** Lower-cased names of the functions a query calls (`name(`), including `cast`/`extract`-like forms. CTE
 * names (`x AS (`) are not calls. */
export function functionsUsed(sql: string): string[] {
  const t = code(tokenize(sql));
  const names = new Set<string>();
  for (let i = 0; i + 1 < t.length; i++) {
    const cur = t[i]!;
    const next = t[i + 1]!;
    if (cur.kind !== "word" || next.text !== "(") continue;
    const name = cur.text.toLowerCase();
    if (NOT_FUNCTIONS.has(name)) continue;
    // `name AS (` is a CTE definition, `WITH name (` a column list; `.name(` a qualified call is still a call.
    if (t[i - 1]?.kind === "word" && t[i - 1]!.text.toLowerCase() === "with") continue;
    names.add(name);
  }
  return [...names].sort();
}

/** Number of `?` placeholders. */
export function placeholderCount(sql: string): number {
  return tokenize(sql).filter((t) => t.kind === "param").length;
}

/** Rewrites the schema part of `<schema>.<table>` names (outside strings and comments) through `rename`:
 * how zone names (`curated.bookings`) become an environment's Glue databases on Athena. */
export function renameSchemas(sql: string, rename: (schema: string) => string | undefined): string {
  const all = tokenize(sql);
  const meaningful = all
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t.kind !== "space" && t.kind !== "comment");
  const out = all.map((t) => t.text);
  for (let k = 0; k + 2 < meaningful.length; k++) {
    const a = meaningful[k]!;
    const dot = meaningful[k + 1]!;
    const b = meaningful[k + 2]!;
    if (a.t.kind !== "word" || dot.t.text !== "." || (b.t.kind !== "word" && b.t.kind !== "quoted")) continue;
    // Only a leading qualifier: `x.y.z` (catalog.schema.table) and `alias.column` after a dot stay.
    if (meaningful[k - 1]?.t.text === ".") continue;
    const to = rename(a.t.text.toLowerCase());
    if (to !== undefined) out[a.i] = to;
  }
  return out.join("");
}
