import { list, statements } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "s3-tls-only",
  title: "S3 bucket policies deny requests without TLS",
  source: "AwsSolutions-S10",
  severity: "high",
  check(stack) {
    return stack.of("aws_s3_bucket").flatMap((b) => {
      const denies = stack
        .attachedTo("aws_s3_bucket_policy", b)
        .flatMap((p) => statements(p))
        .some(
          (s) =>
            s.Effect === "Deny" &&
            list(s.Action).some((a) => a === "s3:*" || a === "*") &&
            String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false",
        );
      return denies
        ? []
        : [[b, "no bucket policy statement denying s3:* when aws:SecureTransport is false"] as const];
    });
  },
};
