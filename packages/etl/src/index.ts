export * from "./duckdb/runner.ts";
export * from "./glue/generate.ts";
export * from "./jobs/index.ts";
export * from "./run.ts";
export * from "./sql/portable.ts";
export * from "./sql/subset.ts";
export * from "./sql/transform-sql.ts";
export * from "./summary.ts";
