import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "vpc-flow-logs",
  title: "VPCs record flow logs",
  source: "AwsSolutions-VPC7; checkov CKV2_AWS_11",
  severity: "medium",
  check(stack) {
    return stack
      .of("aws_vpc")
      .filter((v) => !stack.attachedTo("aws_flow_log", v, "vpc_id").length)
      .map((v) => [v, "no aws_flow_log"] as const);
  },
};
