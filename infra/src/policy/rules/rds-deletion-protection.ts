import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "rds-deletion-protection",
  title: "RDS clusters in prod are deletion-protected and keep a final snapshot",
  source: "AwsSolutions-RDS10; checkov CKV_AWS_139",
  severity: "high",
  check(stack) {
    // Only prod holds data that matters; dev and staging are rebuilt from it, so tearing them down is fine.
    if (stack.name !== "prod") return [];
    return stack
      .of("aws_rds_cluster")
      .filter((c) => c.values.deletion_protection !== true || c.values.skip_final_snapshot === true)
      .map((c) => [c, "prod cluster without deletion_protection or with skip_final_snapshot"] as const);
  },
};
