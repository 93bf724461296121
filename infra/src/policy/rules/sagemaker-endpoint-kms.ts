import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "sagemaker-endpoint-kms",
  title: "SageMaker endpoint configurations encrypt with a customer-managed KMS key",
  source: "checkov CKV_AWS_98",
  severity: "high",
  check(stack) {
    return stack
      .of("aws_sagemaker_endpoint_configuration")
      .filter((c) => !c.values.kms_key_arn)
      .map((c) => [c, "no kms_key_arn"] as const);
  },
};
