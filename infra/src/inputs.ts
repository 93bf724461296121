import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { NamedQuerySource } from "./constructs/athena-workgroup.ts";

/** The monorepo root (infra sits one level below it). */
export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

/** Artifacts the stacks consume from other packages, found on disk at synth time. Reading files (rather
 * than importing `@hotels/etl` and `@hotels/query`) keeps synth fast: they pull in DuckDB, which synth has
 * no use for. The function list comes from `@hotels/lambdas` (`FUNCTIONS`, a light module). */
export interface PipelineInputs {
  /** `packages/etl`'s generated Glue script (golden copy), if it exists. */
  readonly glueScriptPath?: string;
  /** `packages/query/sql/*.sql`. */
  readonly namedQueries: readonly NamedQuerySource[];
  /** Where `apps/lambdas` is: function zips are its specs' `zip` paths below it. */
  readonly lambdasDir: string;
}

/** Candidate locations of the Glue script, first existing wins (`GLUE_SCRIPT_PATH` of `@hotels/etl`). */
const GLUE_SCRIPT_CANDIDATES = ["packages/etl/glue/glue_etl.py", "packages/etl/glue/etl.py"];

export function readInputs(root: string = REPO_ROOT): PipelineInputs {
  const glueScriptPath = GLUE_SCRIPT_CANDIDATES.map((p) => path.join(root, p)).find((p) => existsSync(p));
  const sqlDir = path.join(root, "packages/query/sql");
  const namedQueries = existsSync(sqlDir)
    ? readdirSync(sqlDir)
        .filter((f) => f.endsWith(".sql"))
        .sort()
        .map((f) => readNamedQuery(path.join(sqlDir, f)))
    : [];
  return { glueScriptPath, namedQueries, lambdasDir: path.join(root, "apps/lambdas") };
}

/** A `.sql` file as a named query: name = file name, description = the leading `--` comment lines (up to
 * the first `@param`), trimmed to Athena's 1024-character limit. */
export function readNamedQuery(file: string): NamedQuerySource {
  const sql = readFileSync(file, "utf8");
  const comment: string[] = [];
  for (const line of sql.split("\n")) {
    const m = /^--\s?(.*)$/.exec(line);
    if (!m || m[1]!.startsWith("@")) break;
    comment.push(m[1]!.trim());
  }
  const description = comment.join(" ").trim().slice(0, 1024) || undefined;
  return { name: path.basename(file, ".sql"), sql, description };
}
