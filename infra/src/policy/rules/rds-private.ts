import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "rds-private",
  title: "RDS instances are not publicly accessible and live in a subnet group",
  source: "checkov CKV_AWS_17",
  severity: "high",
  check(stack) {
    return [
      ...stack
        .of("aws_rds_cluster_instance")
        .filter((i) => i.values.publicly_accessible !== false)
        .map((i) => [i, "publicly_accessible is not explicitly false"] as const),
      ...stack
        .of("aws_rds_cluster")
        .filter((c) => !c.values.db_subnet_group_name)
        .map((c) => [c, "no db_subnet_group_name (would use the default VPC)"] as const),
    ];
  },
};
