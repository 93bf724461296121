import { defineConfig } from "vitest/config";

/** Shared vitest settings; each package's vitest.config.ts re-exports this so `pnpm --filter X test` works alone. */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
