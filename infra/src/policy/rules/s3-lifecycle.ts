import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "s3-lifecycle",
  title: "S3 buckets have a lifecycle configuration (old versions and uploads do not pile up)",
  source: "checkov CKV2_AWS_61, CKV_AWS_300",
  severity: "low",
  check(stack) {
    return stack
      .of("aws_s3_bucket")
      .filter((b) => !stack.attachedTo("aws_s3_bucket_lifecycle_configuration", b).length)
      .map((b) => [b, "no aws_s3_bucket_lifecycle_configuration"] as const);
  },
};
