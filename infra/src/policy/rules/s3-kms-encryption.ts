import { block, blocks } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "s3-kms-encryption",
  title: "S3 buckets encrypt by default with a customer-managed KMS key",
  source: "checkov CKV_AWS_145",
  severity: "high",
  check(stack) {
    return stack.of("aws_s3_bucket").flatMap((b) => {
      const rules = stack
        .attachedTo("aws_s3_bucket_server_side_encryption_configuration", b)
        .flatMap((r) => blocks(r.values.rule));
      const kms = rules.some((r) => {
        const d = block(r.apply_server_side_encryption_by_default);
        return d?.sse_algorithm === "aws:kms" && Boolean(d.kms_master_key_id);
      });
      return kms ? [] : [[b, "default encryption is not SSE-KMS with a customer-managed key"] as const];
    });
  },
};
