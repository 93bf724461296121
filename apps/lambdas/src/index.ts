export * from "./env.ts";
export * from "./functions.ts";
