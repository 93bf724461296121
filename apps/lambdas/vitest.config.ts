import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// Powertools reads its settings at import time: quiet logs, no X-Ray, no EMF flush in tests.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      env: {
        POWERTOOLS_TRACE_ENABLED: "false",
        POWERTOOLS_METRICS_DISABLED: "true",
        POWERTOOLS_LOG_LEVEL: "ERROR",
        POWERTOOLS_SERVICE_NAME: "hotels-pipeline-test",
      },
    },
  }),
);
