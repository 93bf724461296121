import { statements } from "../stack-view.ts";
import type { PolicyRule, Violation } from "../types.ts";

export const rule: PolicyRule = {
  id: "iam-trust-confused-deputy",
  title: "Roles trusted by AWS services require aws:SourceAccount (or SourceArn) — no confused deputy",
  source: "AWS IAM confused-deputy guidance; checkov CKV_AWS_60/61 (trust scope)",
  severity: "medium",
  check(stack) {
    return stack.of("aws_iam_role").flatMap((r) =>
      statements(r, "assume_role_policy")
        .filter((s) => s.Effect === "Allow")
        .flatMap((s): Violation[] => {
          const principal = s.Principal as { Service?: unknown; AWS?: unknown } | string | undefined;
          if (principal === "*" || (typeof principal === "object" && principal?.AWS === "*"))
            return [[r, "trust policy allows any principal"] as const];
          if (typeof principal !== "object" || !principal?.Service) return [];
          const cond = JSON.stringify(s.Condition ?? {});
          return /aws:Source(Account|Arn)/.test(cond)
            ? []
            : [
                [
                  r,
                  `service trust ${JSON.stringify(principal.Service)} without aws:SourceAccount/SourceArn`,
                ] as const,
              ];
        }),
    );
  },
};
