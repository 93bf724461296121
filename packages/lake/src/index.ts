export * from "./catalog-port.ts";
export * from "./port.ts";
