import { block } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "lambda-tracing",
  title: "Lambda functions trace with X-Ray (active tracing)",
  source: "checkov CKV_AWS_50",
  severity: "low",
  check(stack) {
    return stack
      .of("aws_lambda_function")
      .filter((f) => block(f.values.tracing_config)?.mode !== "Active")
      .map((f) => [f, "tracing_config.mode is not Active"] as const);
  },
};
