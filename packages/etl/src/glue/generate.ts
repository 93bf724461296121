import { readFileSync } from "node:fs";
import path from "node:path";
import { etlRejects, quoteIdent, schemaHash, type TableDef, usesSymlinkManifests } from "@hotels/schema";
import { placementOf } from "../duckdb/runner.ts";
import { extractJobs, type Job, jobs, loadJobs, transformJobs } from "../jobs/index.ts";
import { sqlType } from "../sql/portable.ts";
import { transformSql } from "../sql/transform-sql.ts";

const here = import.meta.dirname;

/** The committed golden copy of the generated Glue script: what infra uploads (TerraformAsset). */
export const GLUE_SCRIPT_PATH = path.resolve(here, "../../glue/glue_etl.py");
/** The manifest-publishing part of the runtime: importable alone (no Spark), as its test does. */
export const GLUE_MANIFESTS_PATH = path.join(here, "manifests.py");
/** Where `pnpm --filter @hotels/etl build` writes the script it generates. */
export const GENERATED_GLUE_SCRIPT_PATH = path.resolve(here, "../../generated/glue_etl.py");

/** Job arguments the script reads (Glue `DefaultArguments` / `--arguments` of StartJobRun), with the
 * value infra should default them to (`undefined`: infra must set it). */
export const GLUE_JOB_ARGUMENTS: Readonly<
  Record<string, { readonly description: string; readonly default?: string }>
> = {
  "--connection_name": { description: "Glue connection (JDBC) to the RDS source database" },
  "--database": { description: "source database name (appended to the connection URL)" },
  "--raw_bucket": { description: "bucket of the raw zone" },
  "--processed_bucket": { description: "bucket of the processed zone" },
  "--curated_bucket": { description: "bucket of the curated zone" },
  "--rejected_bucket": { description: "bucket of the rejected zone" },
  "--full": { description: "`true` for a full refresh", default: "false" },
  "--jobs": { description: "comma-separated steps/jobs/tables to run, `all` for every job", default: "all" },
  "--run_id": {
    description:
      "run id of the pipeline run that started the job: its files and snapshots carry it (plus a suffix per attempt); `-`: the job makes one",
    default: "-",
  },
};

/** Glue version and worker settings the script is written for. */
export const GLUE_JOB_SETTINGS = {
  glueVersion: "5.0",
  pythonVersion: "3",
  workerType: "G.1X",
  numberOfWorkers: 2,
} as const;

function tableSpec(t: TableDef) {
  const placement = placementOf(t);
  return {
    zone: t.zone,
    name: t.name,
    columns: t.columns.map((c) => ({ name: c.name, type: sqlType(c.type) })),
    partitions: (t.partitionKeys ?? []).map((c) => ({ name: c.name, type: sqlType(c.type) })),
    partitions_names: (t.partitionKeys ?? []).map((c) => c.name),
    placement: placement.kind,
    hash: schemaHash(t),
    // The job publishes symlink manifests of the tables it commits only in manifest zones (the schema's
    // rule, not a list of its own).
    manifests: usesSymlinkManifests(t),
  };
}

function jobSpec(j: Job) {
  switch (j.kind) {
    case "extract":
      return {
        kind: j.kind,
        name: j.name,
        table: j.target.name,
        // PostgreSQL SQL for the JDBC read (the watermark predicate is appended at run time).
        query: `SELECT ${j.source.columns.map((c) => quoteIdent(c.name)).join(", ")} FROM ${quoteIdent(j.source.name)}`,
        version: quoteIdent(j.versionColumn),
      };
    case "transform":
      return {
        kind: j.kind,
        name: j.name,
        table: j.target.name,
        key: j.key,
        version: j.versionColumn,
        reads: j.reads,
        bucket: j.bucket,
        sql: transformSql(j),
      };
    case "load":
      return {
        kind: j.kind,
        name: j.name,
        table: j.target.name,
        // Glue recomputes aggregates whole: it needs the source table's name, not the delta aggregation.
        mode:
          j.mode.kind === "aggregate"
            ? { kind: j.mode.kind, source: `${j.mode.source.zone}.${j.mode.source.name}`, key: j.mode.key }
            : j.mode,
        reads: j.reads,
        sql: j.sql,
      };
  }
}

/** A readable Python literal of a JSON value; multi-line SQL as triple-quoted strings (portable SQL holds
 * no backslash), anything else in JSON string syntax, which Python reads the same. */
function py(value: unknown, indent = ""): string {
  const inner = `${indent}    `;
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    const triple =
      value.includes("\n") &&
      !value.includes("\r") &&
      !value.includes("\\") &&
      !value.includes('"""') &&
      !value.endsWith('"');
    return triple ? `"""${value}"""` : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    if (!value.length) return "[]";
    return `[\n${value.map((v) => `${inner}${py(v, inner)},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (!entries.length) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${py(v, inner)},`).join("\n")}\n${indent}}`;
}

/** The Glue 5.0 PySpark script of the job definitions: header, generated data, then the fixed runtime —
 * `manifests.py` (symlink manifest publishing, pure Python over an S3 client, tested apart) before
 * `runtime.py` (the steps, which use it). */
export function generateGlueScript(): string {
  const tables = Object.fromEntries(
    [
      ...extractJobs.map((j) => j.target),
      ...transformJobs.map((j) => j.target),
      ...loadJobs.map((j) => j.target),
      etlRejects,
    ].map((t) => [`${t.zone}.${t.name}`, tableSpec(t)]),
  );
  for (const t of Object.values(tables))
    if (!t.columns.length) throw new Error(`${t.zone}.${t.name}: no columns`);
  const manifests = readFileSync(GLUE_MANIFESTS_PATH, "utf8");
  const runtime = readFileSync(path.join(here, "runtime.py"), "utf8");
  return [
    "# GENERATED by packages/etl (pnpm --filter @hotels/etl build) from the job definitions. Do not edit:",
    "# change packages/etl/src/jobs or packages/etl/src/glue/runtime.py and rebuild.",
    "# Glue 5.0 (Spark 3.5, Python 3.11) ETL job: RDS (JDBC via a Glue connection) -> raw -> processed -> curated.",
    "import json  # noqa: F401  (used by the runtime below)",
    "",
    `JOB_ARGUMENTS = ${JSON.stringify(Object.keys(GLUE_JOB_ARGUMENTS))}`,
    `TABLES = ${py(tables)}`,
    `JOBS = ${py(jobs.map(jobSpec))}`,
    "",
    manifests,
    runtime,
  ].join("\n");
}
