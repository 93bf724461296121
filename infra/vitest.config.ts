import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../vitest.shared.ts";

/** The shared settings plus cdktf's `Testing` matchers (registered on vitest's `expect` in test/setup.ts). */
export default mergeConfig(shared, defineConfig({ test: { setupFiles: ["test/setup.ts"] } }));
