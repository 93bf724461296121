import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "rds-storage-encrypted",
  title: "RDS clusters encrypt storage with a customer-managed KMS key",
  source: "AwsSolutions-RDS2; checkov CKV_AWS_96, CKV_AWS_327",
  severity: "high",
  check(stack) {
    return stack
      .of("aws_rds_cluster")
      .filter((c) => c.values.storage_encrypted !== true || !c.values.kms_key_id)
      .map((c) => [c, "storage_encrypted is not true with a kms_key_id"] as const);
  },
};
