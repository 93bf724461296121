import { block } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "lambda-env-encrypted",
  title: "Lambda environment variables are encrypted with a customer-managed KMS key",
  source: "checkov CKV_AWS_173",
  severity: "medium",
  check(stack) {
    return stack
      .of("aws_lambda_function")
      .filter((f) => block(f.values.environment)?.variables !== undefined && !f.values.kms_key_arn)
      .map((f) => [f, "environment variables without kms_key_arn"] as const);
  },
};
