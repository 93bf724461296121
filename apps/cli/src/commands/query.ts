import type { QueryError, QueryResult } from "@hotels/query";
import type { CommandModule } from "../context.ts";
import { table, UserError } from "../output.ts";

type Format = "table" | "csv" | "json";

interface QueryOptions {
  readonly named?: string;
  readonly param: string[];
  readonly format?: Format;
  readonly json?: boolean;
  readonly list?: boolean;
}

const collect = (v: string, acc: string[]) => [...acc, v];

/** `k=v` pairs → object; the value may itself contain `=`. */
export function parseParams(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf("=");
    if (i <= 0) throw new UserError(`--param ${JSON.stringify(p)}: expected k=v`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

/** Renders a result in the chosen format (`resultCsv` of @hotels/query, passed in: the CLI loads that
 * package only when a command needs it). */
export function renderResult(
  result: QueryResult,
  format: Format,
  resultCsv: (r: QueryResult) => string,
): string {
  switch (format) {
    case "json":
      return JSON.stringify(result);
    case "csv":
      return resultCsv(result).trimEnd();
    case "table": {
      const names = result.columns.map((c) => c.name);
      const s = result.stats;
      const foot = [
        `${result.rows.length} row${result.rows.length === 1 ? "" : "s"}`,
        s ? `${s.millis.toFixed(0)} ms` : undefined,
        s?.filesScanned !== undefined ? `${s.filesScanned} files scanned` : undefined,
        s?.bytesScanned !== undefined ? `${s.bytesScanned} bytes scanned` : undefined,
        `query ${result.queryId}`,
      ].filter(Boolean);
      return `${table(result.rows, names)}\n(${foot.join(", ")})`;
    }
  }
}

/** A SQL error as the engine reported it, with the position, for stderr. */
function describeError(e: QueryError): string {
  const pos = e.details.position;
  return `${e.message}${pos ? `\n(at line ${pos.line}, column ${pos.column})` : ""}\n`;
}

export const registerQuery: CommandModule = (program, ctx) => {
  program
    .command("query")
    .description("Run SQL over the catalogued lake (<zone>.<table>), or a named query")
    .argument("[sql]", "the SQL (one statement; ? placeholders take --param values in order)")
    .option("--named <name>", "run a named query (packages/query/sql/<name>.sql)")
    .option(
      "--param <k=v>",
      "a parameter (repeatable); with plain SQL, values bind the ? in order",
      collect,
      [],
    )
    .option("--format <format>", "table (default on a terminal), csv (default otherwise) or json")
    .option("--json", "same as --format json")
    .option("--list", "list the named queries and their parameters")
    .action(async (sql: string | undefined, o: QueryOptions) => {
      const { namedQueries, QueryError, resultCsv, runNamedQuery } = await import("@hotels/query");
      if (o.list) {
        const list = namedQueries().map((q) => ({
          name: q.name,
          params: q.params.map((p) => `${p.name}:${p.type}${p.optional ? "?" : ""}`).join(" "),
          description: q.description,
        }));
        process.stdout.write(`${o.json ? JSON.stringify(list) : table(list)}\n`);
        return;
      }
      const format: Format = o.json ? "json" : (o.format ?? (process.stdout.isTTY ? "table" : "csv"));
      if (!["table", "csv", "json"].includes(format))
        throw new UserError(`--format ${format}: expected table, csv or json`);
      if (!sql && !o.named) throw new UserError('give the SQL (hotels query "SELECT …") or --named NAME');
      if (sql && o.named) throw new UserError("give either SQL or --named, not both");
      const engine = await ctx.runtime().queryEngine();
      let result: QueryResult;
      try {
        if (o.named) {
          if (!namedQueries().some((q) => q.name === o.named))
            throw new UserError(
              `no named query ${o.named}; known: ${namedQueries()
                .map((q) => q.name)
                .join(", ")}`,
            );
          result = await runNamedQuery(engine, o.named, parseParams(o.param));
        } else {
          // Plain SQL: --param values bind the ?s in order, as strings unless they read as numbers.
          const values = o.param.map((p) => {
            const v = p.includes("=") ? p.slice(p.indexOf("=") + 1) : p;
            return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
          });
          result = await engine.query(sql!, values);
        }
      } catch (e) {
        if (e instanceof QueryError) {
          process.stderr.write(describeError(e));
          process.exitCode = 1;
          return;
        }
        if (e instanceof Error && /^parameter |has no parameter/.test(e.message))
          throw new UserError(e.message);
        throw e;
      } finally {
        await ctx.runtime().close();
      }
      process.stdout.write(`${renderResult(result, format, resultCsv)}\n`);
    });
};
