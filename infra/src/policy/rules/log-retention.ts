import type { PolicyRule } from "../types.ts";

/** Minimum retention per environment: prod keeps a year (audit), others a week. */
const minimum = (env: string) => (env === "prod" ? 365 : 7);

export const rule: PolicyRule = {
  id: "log-retention",
  title: "Log groups set a retention (≥ 365 days in prod, ≥ 7 elsewhere) — never 'never expire'",
  source: "checkov CKV_AWS_338, CKV_AWS_66",
  severity: "low",
  check(stack) {
    return stack.of("aws_cloudwatch_log_group").flatMap((g) => {
      const days = Number(g.values.retention_in_days ?? 0);
      return days >= minimum(stack.name)
        ? []
        : [[g, `retention_in_days ${days || "unset (never expires)"} < ${minimum(stack.name)}`] as const];
    });
  },
};
