import type { Suppression } from "./types.ts";

/** Deliberate exceptions, each with the reason it is safe. Paths are construct paths below the stack. */
export const SUPPRESSIONS: readonly Suppression[] = [
  {
    rule: "s3-kms-encryption",
    path: "lake/access-logs",
    reason:
      "S3 server access logging can only deliver to a target bucket encrypted with SSE-S3 (AES256); SSE-KMS " +
      "targets silently receive no logs. The bucket is still encrypted, private and TLS-only.",
  },
  {
    rule: "s3-access-logging",
    path: "lake/access-logs",
    reason:
      "This is the access-log target itself: logging it into itself would log every log delivery, forever.",
  },
  {
    rule: "s3-access-logging",
    path: "state",
    reason:
      "The Terraform state bucket holds a few objects written only by the deploy role; access is audited " +
      "through CloudTrail, and a per-account log bucket for it would need its own bootstrap first.",
  },
  {
    rule: "iam-no-admin-policies",
    path: "deploy-admin",
    reason:
      "The deploy role creates every resource of the stack, IAM roles and KMS key policies included; it can " +
      "only be assumed through GitHub OIDC from this repository's approval-gated `<env>` environment.",
  },
];
