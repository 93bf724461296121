import { block } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "athena-results-encrypted",
  title: "Athena query results are encrypted with KMS",
  source: "AwsSolutions-ATH1; checkov CKV_AWS_159",
  severity: "high",
  check(stack) {
    return stack.of("aws_athena_workgroup").flatMap((w) => {
      const enc = block(block(block(w.values.configuration)?.result_configuration)?.encryption_configuration);
      const ok =
        (enc?.encryption_option === "SSE_KMS" || enc?.encryption_option === "CSE_KMS") && enc.kms_key_arn;
      return ok ? [] : [[w, "result_configuration is not encrypted with SSE_KMS/CSE_KMS and a key"] as const];
    });
  },
};
