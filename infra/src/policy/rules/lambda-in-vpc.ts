import { block } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

export const rule: PolicyRule = {
  id: "lambda-in-vpc",
  title: "Lambda functions run inside the VPC (private subnets, security group)",
  source: "checkov CKV_AWS_117",
  severity: "medium",
  check(stack) {
    return stack.of("aws_lambda_function").flatMap((f) => {
      const v = block(f.values.vpc_config);
      const ok =
        v &&
        JSON.stringify(v.subnet_ids ?? []) !== "[]" &&
        JSON.stringify(v.security_group_ids ?? []) !== "[]";
      return ok ? [] : [[f, "no vpc_config with subnets and security groups"] as const];
    });
  },
};
