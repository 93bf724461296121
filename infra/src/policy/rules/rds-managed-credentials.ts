import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "rds-managed-credentials",
  title: "RDS master credentials are generated and rotated by RDS in Secrets Manager, never in the code",
  source: "AwsSolutions-SMG4 (managed, rotated secret); no hard-coded password",
  severity: "high",
  check(stack) {
    return stack
      .of("aws_rds_cluster")
      .filter((c) => c.values.manage_master_user_password !== true || c.values.master_password !== undefined)
      .map((c) => [c, "manage_master_user_password is not true (or a master_password is set)"] as const);
  },
};
