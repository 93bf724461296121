import { identityPolicies, list, statements } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "iam-no-wildcard-actions",
  title: "IAM policies name every action (no `*`, `service:*` or `service:Get*`)",
  source: "AwsSolutions-IAM5 (actions); checkov CKV_AWS_289, CKV_AWS_355",
  severity: "high",
  check(stack) {
    return identityPolicies(stack).flatMap((p) =>
      statements(p)
        .filter((s) => s.Effect === "Allow")
        .flatMap((s) => [
          ...list(s.Action)
            .filter((a) => a.includes("*"))
            .map((a) => [p, `statement ${s.Sid ?? "(no Sid)"} allows wildcard action ${a}`] as const),
          ...(s.NotAction
            ? [[p, `statement ${s.Sid ?? "(no Sid)"} uses NotAction with Allow`] as const]
            : []),
        ]),
    );
  },
};
