import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "lambda-url-iam-auth",
  title: "Lambda function URLs require IAM (SigV4) authentication",
  source: "checkov CKV_AWS_258",
  severity: "high",
  check(stack) {
    return stack
      .of("aws_lambda_function_url")
      .filter((u) => u.values.authorization_type !== "AWS_IAM")
      .map((u) => [u, `authorization_type ${String(u.values.authorization_type)} is not AWS_IAM`] as const);
  },
};
