import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "vpc-default-sg-closed",
  title: "Each VPC's default security group allows no traffic",
  source: "checkov CKV2_AWS_12 (CIS 5.4)",
  severity: "medium",
  check(stack) {
    return stack.of("aws_vpc").flatMap((v) => {
      const d = stack.attachedTo("aws_default_security_group", v, "vpc_id");
      const closed = d.some(
        (g) =>
          JSON.stringify(g.values.ingress ?? []) === "[]" && JSON.stringify(g.values.egress ?? []) === "[]",
      );
      return closed ? [] : [[v, "default security group is not managed empty"] as const];
    });
  },
};
