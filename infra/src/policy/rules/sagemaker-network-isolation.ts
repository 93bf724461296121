import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "sagemaker-network-isolation",
  title: "SageMaker models run with network isolation (the container cannot call out)",
  source: "checkov CKV_AWS_370",
  severity: "medium",
  check(stack) {
    return stack
      .of("aws_sagemaker_model")
      .filter((m) => m.values.enable_network_isolation !== true)
      .map((m) => [m, "enable_network_isolation is not true"] as const);
  },
};
