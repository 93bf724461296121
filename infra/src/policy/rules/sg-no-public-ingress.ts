import { blocks } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

const OPEN = ["0.0.0.0/0", "::/0"];

export const rule: PolicyRule = {
  id: "sg-no-public-ingress",
  title: "No security group accepts traffic from the whole internet",
  source: "AwsSolutions-EC23; checkov CKV_AWS_24, CKV_AWS_25, CKV_AWS_260",
  severity: "high",
  check(stack) {
    const rules = stack
      .of("aws_vpc_security_group_ingress_rule")
      .filter((r) => OPEN.includes(String(r.values.cidr_ipv4)) || OPEN.includes(String(r.values.cidr_ipv6)))
      .map((r) => [r, "ingress from anywhere"] as const);
    const legacy = stack
      .of("aws_security_group_rule")
      .filter(
        (r) =>
          r.values.type === "ingress" &&
          [
            ...((r.values.cidr_blocks as string[]) ?? []),
            ...((r.values.ipv6_cidr_blocks as string[]) ?? []),
          ].some((c) => OPEN.includes(c)),
      )
      .map((r) => [r, "ingress from anywhere"] as const);
    const inline = stack.of("aws_security_group").flatMap((g) =>
      blocks(g.values.ingress)
        .filter((i) =>
          [...((i.cidr_blocks as string[]) ?? []), ...((i.ipv6_cidr_blocks as string[]) ?? [])].some((c) =>
            OPEN.includes(c),
          ),
        )
        .map(() => [g, "inline ingress from anywhere"] as const),
    );
    return [...rules, ...legacy, ...inline];
  },
};
