import { identityPolicies, list, statements } from "../stack-view.ts";
import type { PolicyRule } from "../types.ts";

/** Actions AWS does not scope to a resource ARN: `Resource: "*"` is the only way to grant them. */
export const UNSCOPABLE_ACTIONS = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "cloudwatch:PutMetricData",
  "ecr:GetAuthorizationToken",
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
  "ec2:DescribeVpcEndpoints",
  "ec2:DescribeRouteTables",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSubnets",
  "ec2:DescribeVpcAttribute",
  "ec2:CreateTags",
]);

export const rule: PolicyRule = {
  id: "iam-no-wildcard-resources",
  title: "IAM policies scope resources to ARNs wherever the action allows it",
  source: "AwsSolutions-IAM5 (resources); checkov CKV_AWS_290, CKV_AWS_355",
  severity: "high",
  check(stack) {
    return identityPolicies(stack).flatMap((p) =>
      statements(p)
        .filter((s) => s.Effect === "Allow" && list(s.Resource).includes("*"))
        .flatMap((s) => {
          const scopable = list(s.Action).filter((a) => !UNSCOPABLE_ACTIONS.has(a));
          return scopable.length
            ? [[p, `statement ${s.Sid ?? "(no Sid)"} grants ${scopable.join(", ")} on Resource "*"`] as const]
            : [];
        }),
    );
  },
};
