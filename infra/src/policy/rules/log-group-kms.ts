import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "log-group-kms",
  title: "Log groups are encrypted with a customer-managed KMS key",
  source: "checkov CKV_AWS_158",
  severity: "medium",
  check(stack) {
    return stack
      .of("aws_cloudwatch_log_group")
      .filter((g) => !g.values.kms_key_id)
      .map((g) => [g, "no kms_key_id"] as const);
  },
};
