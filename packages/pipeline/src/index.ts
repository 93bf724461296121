export * from "./bus.ts";
export * from "./events.ts";
export * from "./flow.ts";
export * from "./lock.ts";
export * from "./pipeline.ts";
export * from "./run-log.ts";
