import { block } from "../stack-view.ts";
import type { PolicyRule, Violation } from "../types.ts";

const FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

export const rule: PolicyRule = {
  id: "s3-public-access-block",
  title: "S3 buckets block every kind of public access",
  source: "AwsSolutions-S2; checkov CKV_AWS_53/54/55/56, CKV2_AWS_6",
  severity: "high",
  check(stack) {
    return stack.of("aws_s3_bucket").flatMap((b): Violation[] => {
      const pab = stack.attachedTo("aws_s3_bucket_public_access_block", b).map((r) => block(r.values)!);
      if (!pab.length) return [[b, "no aws_s3_bucket_public_access_block"] as const];
      const off = FLAGS.filter((f) => !pab.some((p) => p[f] === true));
      return off.length ? [[b, `public access block does not set ${off.join(", ")}`] as const] : [];
    });
  },
};
