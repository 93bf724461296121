import type { PolicyRule } from "../types.ts";

/** Days of automated backups required: prod keeps a week at least. */
const minimum = (env: string) => (env === "prod" ? 7 : 1);

export const rule: PolicyRule = {
  id: "rds-backups",
  title: "RDS clusters keep automated backups (≥ 7 days in prod) and copy tags to snapshots",
  source: "checkov CKV_AWS_133, CKV_AWS_313",
  severity: "medium",
  check(stack) {
    return stack.of("aws_rds_cluster").flatMap((c) => {
      const days = Number(c.values.backup_retention_period ?? 1);
      const out: [typeof c, string][] = [];
      if (days < minimum(stack.name))
        out.push([c, `backup_retention_period ${days} < ${minimum(stack.name)}`]);
      if (c.values.copy_tags_to_snapshot !== true) out.push([c, "copy_tags_to_snapshot is not true"]);
      return out;
    });
  },
};
