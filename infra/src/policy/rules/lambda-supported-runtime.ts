import type { PolicyRule } from "../types.ts";

/** Node.js and Python runtimes AWS supports (not deprecated) as of this repository's provider. */
export const SUPPORTED_RUNTIMES = ["nodejs20.x", "nodejs22.x", "python3.11", "python3.12", "python3.13"];

export const rule: PolicyRule = {
  id: "lambda-supported-runtime",
  title: "Lambda functions use a supported, non-deprecated runtime",
  source: "AwsSolutions-L1; checkov CKV_AWS_363",
  severity: "medium",
  check(stack) {
    return stack
      .of("aws_lambda_function")
      .filter(
        (f) => f.values.package_type !== "Image" && !SUPPORTED_RUNTIMES.includes(String(f.values.runtime)),
      )
      .map(
        (f) =>
          [f, `runtime ${String(f.values.runtime)} is not one of ${SUPPORTED_RUNTIMES.join(", ")}`] as const,
      );
  },
};
