import { block } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "glue-catalog-encryption",
  title: "The Glue Data Catalog encrypts metadata and connection passwords with KMS",
  source: "checkov CKV_AWS_94, CKV_AWS_195",
  severity: "high",
  check(stack) {
    const uses = stack.of("aws_glue_catalog_database").length + stack.of("aws_glue_connection").length;
    if (!uses) return [];
    const settings = stack.of("aws_glue_data_catalog_encryption_settings");
    const ok = settings.some((s) => {
      const d = block(s.values.data_catalog_encryption_settings);
      const atRest = block(d?.encryption_at_rest);
      const pw = block(d?.connection_password_encryption);
      return (
        atRest?.catalog_encryption_mode === "SSE-KMS" && pw?.return_connection_password_encrypted === true
      );
    });
    if (ok) return [];
    const subject = stack.of("aws_glue_catalog_database")[0] ?? stack.of("aws_glue_connection")[0]!;
    return [
      [subject, "no aws_glue_data_catalog_encryption_settings with SSE-KMS and password encryption"] as const,
    ];
  },
};
