export * from "./copy-text.ts";
export * from "./data-api.ts";
export * from "./generate.ts";
export * from "./ingest/index.ts";
export * from "./migrate.ts";
export * from "./pg.ts";
export * from "./pglite.ts";
export * from "./port.ts";
