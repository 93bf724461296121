import { block } from "../stack-view.ts";
import type { PolicyRule, TfResource, Violation } from "../types.ts";

/** Whether a security configuration encrypts S3 output, CloudWatch logs and job bookmarks. */
function complete(cfg: TfResource): boolean {
  const e = block(cfg.values.encryption_configuration);
  return (
    block(e?.s3_encryption)?.s3_encryption_mode === "SSE-KMS" &&
    block(e?.cloudwatch_encryption)?.cloudwatch_encryption_mode === "SSE-KMS" &&
    block(e?.job_bookmarks_encryption)?.job_bookmarks_encryption_mode === "CSE-KMS"
  );
}

export const rule: PolicyRule = {
  id: "glue-security-configuration",
  title: "Glue jobs and crawlers run with a security configuration encrypting S3, logs and bookmarks",
  source: "AwsSolutions-GL1, AwsSolutions-GL3; checkov CKV_AWS_99",
  severity: "high",
  check(stack) {
    const configs = stack.of("aws_glue_security_configuration");
    return [...stack.of("aws_glue_job"), ...stack.of("aws_glue_crawler")].flatMap((j): Violation[] => {
      const cfg = configs.find((c) =>
        JSON.stringify(j.values.security_configuration ?? "").includes(c.address),
      );
      if (!cfg) return [[j, "no security_configuration of this stack"] as const];
      return complete(cfg)
        ? []
        : [[j, `${cfg.address} does not encrypt S3, CloudWatch and bookmarks`] as const];
    });
  },
};
