import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "sqs-encrypted",
  title: "SQS queues are encrypted at rest (SSE-SQS or KMS)",
  source: "AwsSolutions-SQS2; checkov CKV_AWS_27",
  severity: "medium",
  check(stack) {
    return stack
      .of("aws_sqs_queue")
      .filter((q) => !q.values.kms_master_key_id && q.values.sqs_managed_sse_enabled !== true)
      .map((q) => [q, "neither kms_master_key_id nor sqs_managed_sse_enabled"] as const);
  },
};
