import { block } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "lambda-dlq",
  title: "Lambda functions have a dead-letter queue for failed asynchronous invocations",
  source: "checkov CKV_AWS_116",
  severity: "medium",
  check(stack) {
    return stack
      .of("aws_lambda_function")
      .filter((f) => !block(f.values.dead_letter_config)?.target_arn)
      .map((f) => [f, "no dead_letter_config.target_arn"] as const);
  },
};
