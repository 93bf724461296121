export * from "./catalog-port.ts";
export * from "./errors.ts";
export * from "./layout.ts";
export * from "./local-store.ts";
export * from "./port.ts";
export * from "./s3-store.ts";
export * from "./snapshots.ts";
