import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "sns-encrypted",
  title: "SNS topics are encrypted with KMS",
  source: "AwsSolutions-SNS2; checkov CKV_AWS_26",
  severity: "medium",
  check(stack) {
    return stack
      .of("aws_sns_topic")
      .filter((t) => !t.values.kms_master_key_id)
      .map((t) => [t, "no kms_master_key_id"] as const);
  },
};
