import { quoteIdent } from "@hotels/schema";

export { quoteIdent };

/** A qualified or plain table name quoted as an identifier (`a.b` → `"a"."b"`). */
export function quoteTable(name: string): string {
  return name.split(".").map(quoteIdent).join(".");
}

/** Calls `fn` on each `$n` placeholder outside string literals, quoted identifiers and comments. */
export function mapPlaceholders(sql: string, fn: (n: number) => string): string {
  return sql.replace(
    /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$(\d+)/g,
    (m, n: string | undefined) => (n === undefined ? m : fn(Number(n))),
  );
}

let cursorSeq = 0;
/** A fresh cursor or savepoint name for this process. */
export function uniqueName(prefix: string): string {
  cursorSeq += 1;
  return `${prefix}_${process.pid}_${cursorSeq}`;
}
