import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "rds-log-exports",
  title: "Aurora PostgreSQL clusters export their logs to CloudWatch",
  source: "checkov CKV_AWS_324",
  severity: "low",
  check(stack) {
    return stack
      .of("aws_rds_cluster")
      .filter(
        (c) =>
          !((c.values.enabled_cloudwatch_logs_exports as string[] | undefined) ?? []).includes("postgresql"),
      )
      .map((c) => [c, "enabled_cloudwatch_logs_exports lacks postgresql"] as const);
  },
};
