import { block } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "athena-workgroup-enforced",
  title: "Athena workgroups enforce their configuration and cap the bytes a query scans",
  source: "checkov CKV_AWS_82",
  severity: "medium",
  check(stack) {
    return stack.of("aws_athena_workgroup").flatMap((w) => {
      const c = block(w.values.configuration);
      const out: [typeof w, string][] = [];
      if (c?.enforce_workgroup_configuration !== true)
        out.push([w, "enforce_workgroup_configuration is not true"]);
      if (!c?.bytes_scanned_cutoff_per_query) out.push([w, "no bytes_scanned_cutoff_per_query"]);
      return out;
    });
  },
};
