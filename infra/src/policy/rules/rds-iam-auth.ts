import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "rds-iam-auth",
  title: "RDS clusters accept IAM database authentication",
  source: "AwsSolutions-RDS6; checkov CKV_AWS_162",
  severity: "medium",
  check(stack) {
    return stack
      .of("aws_rds_cluster")
      .filter((c) => c.values.iam_database_authentication_enabled !== true)
      .map((c) => [c, "iam_database_authentication_enabled is not true"] as const);
  },
};
