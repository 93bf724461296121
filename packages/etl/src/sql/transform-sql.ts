import type { TransformJob } from "../jobs/types.ts";
import { ident, lit, projection } from "./portable.ts";

/** The portable SQL of a transform, as relations over `input` (the raw rows to process). The same
 * statements run on DuckDB (local runner) and Spark SQL (generated Glue script). */
export interface TransformSql {
  /** Latest version per key: `ROW_NUMBER() OVER (PARTITION BY key ORDER BY version DESC) = 1`. */
  readonly latest: string;
  /** Typed, trimmed, null markers made null. Reads `<t>_latest`. */
  readonly clean: string;
  /** One row per (record, broken rule): `etl_key`, `record_key`, `rule`, `field`, `value`. Reads `<t>_clean`. */
  readonly rejects: string;
  /** Clean rows that broke no rule, with their file bucket `etl_bucket`. Reads `<t>_clean`, `<t>_rejects`. */
  readonly accepted: string;
}

export const relation = (job: TransformJob, part: "input" | "latest" | "clean" | "rejects" | "accepted") =>
  `${job.target.name}_${part}`;

export function transformSql(job: TransformJob): TransformSql {
  const key = ident(job.key);
  const version = ident(job.versionColumn);
  const latest = `SELECT * FROM (
  SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.${key} ORDER BY r.${version} DESC) AS etl_rn
  FROM ${relation(job, "input")} r
) d
WHERE d.etl_rn = 1`;
  const clean = `SELECT\n  ${projection(job.target.columns, job.clean)}\nFROM ${relation(job, "latest")}`;
  const rejects = job.rules
    .map(
      (r) =>
        `SELECT ${key} AS etl_key, CAST(${key} AS string) AS record_key, ${lit(r.rule)} AS rule, ` +
        `${r.field ? lit(r.field) : "CAST(NULL AS string)"} AS field, ` +
        `${r.field ? `CAST(${ident(r.field)} AS string)` : "CAST(NULL AS string)"} AS value\n` +
        `FROM ${relation(job, "clean")}\nWHERE ${r.when}`,
    )
    .join("\nUNION ALL\n");
  const accepted = `SELECT c.*, ${job.bucket} AS etl_bucket
FROM ${relation(job, "clean")} c
WHERE NOT EXISTS (SELECT 1 FROM ${relation(job, "rejects")} x WHERE x.etl_key = c.${key})`;
  return { latest, clean, rejects, accepted };
}
