export * from "./generated.ts";
export * from "./hotel-bookings.ts";
export * from "./ingest.ts";
export * from "./load.ts";
export * from "./read.ts";
export * from "./validate.ts";
