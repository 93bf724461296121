/** The SQL subset both DuckDB (1.5) and Spark SQL (3.5, Glue 5.0) accept with the same meaning. Job
 * definitions must stay inside it; `checkPortableSql` enforces it (see README.md for the rationale). */

export const KEYWORDS: ReadonlySet<string> = new Set([
  "select",
  "from",
  "where",
  "join",
  "left",
  "inner",
  "on",
  "and",
  "or",
  "not",
  "is",
  "null",
  "in",
  "exists",
  "case",
  "when",
  "then",
  "else",
  "end",
  "as",
  "group",
  "by",
  "union",
  "all",
  "distinct",
  "over",
  "partition",
  "order",
  "desc",
  "asc",
  "true",
  "false",
]);

/** Functions: name → why it is portable (both engines, same semantics on our types). */
export const FUNCTIONS: Readonly<Record<string, string>> = {
  cast: "CAST(x AS type) with the types below",
  coalesce: "standard",
  trim: "TRIM(x): both strip spaces on both sides",
  round: "ROUND(x, n) half away from zero on decimals in both",
  sum: "aggregate; result cast to the schema type (DuckDB widens to HUGEINT)",
  count: "aggregate",
  min: "aggregate",
  max: "aggregate",
  year: "YEAR(date)",
  month: "MONTH(date)",
  make_date: "make_date(y, m, d) (Spark ≥ 3.0, DuckDB)",
  row_number: "window function, with OVER (PARTITION BY … ORDER BY …)",
  regexp_like: "Spark built-in (≥ 3.2); the DuckDB runner defines it as a macro over regexp_matches",
};

/** Type names accepted in CAST: the spelling of `sparkType`, which DuckDB also accepts. */
export const TYPES: ReadonlySet<string> = new Set([
  "string",
  "int",
  "bigint",
  "double",
  "decimal",
  "boolean",
  "date",
  "timestamp",
]);

const OPERATORS = new Set(["+", "-", "*", "/", "=", "<>", "<", ">", "<=", ">=", ",", "(", ")", ".", "*"]);

export interface SubsetViolation {
  readonly token: string;
  readonly offset: number;
  readonly reason: string;
}

type Token = { kind: "word" | "number" | "string" | "op"; text: string; offset: number };

function tokenize(sql: string, violations: SubsetViolation[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (sql.startsWith("--", i) || sql.startsWith("/*", i)) {
      violations.push({
        token: sql.slice(i, i + 2),
        offset: i,
        reason: "comments are not part of the subset",
      });
      break;
    }
    if (ch === "'") {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) {
          violations.push({ token: sql.slice(i), offset: i, reason: "unterminated string" });
          break;
        }
        if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      const text = sql.slice(i, j + 1);
      if (text.includes("\\"))
        violations.push({
          token: text,
          offset: i,
          reason: "backslash in a literal (Spark unescapes it, DuckDB not)",
        });
      tokens.push({ kind: "string", text, offset: i });
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i, i + 128));
    if (word) {
      tokens.push({ kind: "word", text: word[0], offset: i });
      i += word[0].length;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(sql.slice(i, i + 64));
    if (num) {
      tokens.push({ kind: "number", text: num[0], offset: i });
      i += num[0].length;
      continue;
    }
    const two = sql.slice(i, i + 2);
    const op = ["<>", "<=", ">=", "!=", "::", "||"].includes(two) ? two : ch;
    if (!OPERATORS.has(op)) violations.push({ token: op, offset: i, reason: "operator outside the subset" });
    tokens.push({ kind: "op", text: op, offset: i });
    i += op.length;
  }
  return tokens;
}

/** Every token of `sql` outside the portable subset (empty when it conforms). `relations` are the names
 * the statement may read, besides its own aliases and columns. */
export function checkPortableSql(sql: string): SubsetViolation[] {
  const violations: SubsetViolation[] = [];
  const tokens = tokenize(sql, violations);
  tokens.forEach((t, k) => {
    if (t.kind !== "word") return;
    const w = t.text.toLowerCase();
    const next = tokens[k + 1];
    const prev = tokens[k - 1];
    if (next?.text === "(" && !KEYWORDS.has(w)) {
      const isType = prev?.text.toLowerCase() === "as" && TYPES.has(w);
      if (!isType && !(w in FUNCTIONS))
        violations.push({ token: t.text, offset: t.offset, reason: "function outside the subset" });
      return;
    }
    if (t.text !== w && !KEYWORDS.has(w) && !(w in FUNCTIONS))
      violations.push({ token: t.text, offset: t.offset, reason: "identifiers are lower case, unquoted" });
    if (prev?.text.toLowerCase() === "as" && tokens[k - 3]?.text.toLowerCase() === "cast" && !TYPES.has(w)) {
      // `CAST(x AS type)`: the word after AS inside a CAST must be a portable type
    }
  });
  // CAST(... AS <type>): check every type name used in a cast.
  for (let k = 0; k < tokens.length; k++) {
    if (tokens[k]!.text.toLowerCase() !== "cast") continue;
    let depth = 0;
    for (let j = k + 1; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.text === "(") depth++;
      else if (t.text === ")") {
        depth--;
        if (depth === 0) break;
      } else if (depth === 1 && t.text.toLowerCase() === "as") {
        const ty = tokens[j + 1];
        if (!ty || !TYPES.has(ty.text.toLowerCase()))
          violations.push({
            token: ty?.text ?? "",
            offset: ty?.offset ?? t.offset,
            reason: "type outside the subset",
          });
      }
    }
  }
  return violations;
}
