import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "kms-rotation",
  title: "Customer-managed KMS keys rotate automatically",
  source: "AwsSolutions-KMS5; checkov CKV_AWS_7",
  severity: "medium",
  check(stack) {
    return stack
      .of("aws_kms_key")
      .filter((k) => k.values.enable_key_rotation !== true && k.values.customer_master_key_spec === undefined)
      .map((k) => [k, "enable_key_rotation is not true"] as const);
  },
};
