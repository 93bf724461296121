import { identityPolicies, list, statements } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

/** AWS managed policies that amount to administrator or full-service access. */
const ADMIN_POLICIES =
  /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess|AmazonS3FullAccess|AmazonSageMakerFullAccess|AWSGlueConsoleFullAccess|AmazonAthenaFullAccess)$/;

export const rule: PolicyRule = {
  id: "iam-no-admin-policies",
  title: "No administrator or *FullAccess managed policies; no Allow * on *",
  source: "AwsSolutions-IAM4; checkov CKV_AWS_274, CKV_AWS_62/63",
  severity: "high",
  check(stack) {
    const attachments = [
      ...stack.of("aws_iam_role_policy_attachment"),
      ...stack.of("aws_iam_user_policy_attachment"),
      ...stack.of("aws_iam_group_policy_attachment"),
      ...stack.of("aws_iam_policy_attachment"),
    ]
      .filter((a) => ADMIN_POLICIES.test(String(a.values.policy_arn)))
      .map((a) => [a, `attaches ${String(a.values.policy_arn)}`] as const);
    const roles = stack
      .of("aws_iam_role")
      .flatMap((r) =>
        ((r.values.managed_policy_arns as string[] | undefined) ?? [])
          .filter((arn) => ADMIN_POLICIES.test(arn))
          .map((arn) => [r, `managed_policy_arns includes ${arn}`] as const),
      );
    const starOnStar = identityPolicies(stack).flatMap((p) =>
      statements(p)
        .filter((s) => s.Effect === "Allow" && list(s.Action).includes("*") && list(s.Resource).includes("*"))
        .map(() => [p, "allows * on *"] as const),
    );
    return [...attachments, ...roles, ...starOnStar];
  },
};
