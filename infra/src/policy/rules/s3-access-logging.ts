import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "s3-access-logging",
  title: "S3 buckets write server access logs",
  source: "AwsSolutions-S1; checkov CKV_AWS_18",
  severity: "medium",
  check(stack) {
    return stack
      .of("aws_s3_bucket")
      .filter((b) => !stack.attachedTo("aws_s3_bucket_logging", b).length)
      .map((b) => [b, "no aws_s3_bucket_logging"] as const);
  },
};
