/** DuckDB, for the modules that load it on first use (`await import("./duckdb.ts")`): a workspace module
 * in between keeps the named export when the CLI bundle inlines the CommonJS package (a bundled
 * `await import()` of CommonJS yields only a default export). */
export { DuckDBInstance } from "@duckdb/node-api";
