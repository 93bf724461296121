import { block } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "s3-versioning",
  title: "S3 buckets keep object versions",
  source: "checkov CKV_AWS_21",
  severity: "medium",
  check(stack) {
    return stack.of("aws_s3_bucket").flatMap((b) => {
      const on = stack
        .attachedTo("aws_s3_bucket_versioning", b)
        .some((v) => block(v.values.versioning_configuration)?.status === "Enabled");
      return on ? [] : [[b, "versioning is not Enabled"] as const];
    });
  },
};
