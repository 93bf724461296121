import { readFileSync } from "node:fs";
import path from "node:path";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning/index.js";
import { App, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { BootstrapStack } from "../src/bootstrap-stack.ts";
import { environments } from "../src/config/environments.ts";
import { checkStack } from "../src/policy/check.ts";
import { StackView } from "../src/policy/stack-view.ts";

const synthOf = (localState: boolean) => {
  const stack = new BootstrapStack(new App(), "bootstrap-prod", { config: environments.prod, localState });
  const json = Testing.synth(stack);
  return { json, doc: JSON.parse(json) };
};

describe("BootstrapStack", () => {
  const { json, doc } = synthOf(false);
  const trust = (role: string) =>
    JSON.parse(
      (Object.values(doc.resource.aws_iam_role) as { name: string; assume_role_policy: string }[]).find(
        (r) => r.name === role,
      )!.assume_role_policy,
    ).Statement[0];

  it("creates the versioned state bucket the environment's backend names, and keeps its own state in it", () => {
    const bucket = Object.values(doc.resource.aws_s3_bucket)[0] as { bucket: string };
    expect(bucket.bucket).toBe(environments.prod.state.bucket);
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, {
      versioning_configuration: { status: "Enabled" },
    });
    expect(doc.terraform.backend.s3).toMatchObject({
      bucket: environments.prod.state.bucket,
      key: "bootstrap/prod.tfstate",
    });
  });

  it("trusts GitHub OIDC for this repository's environments only", () => {
    const plan = trust("hotels-github-plan");
    expect(plan.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(plan.Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toBe(
      `repo:${environments.prod.github.repository}:environment:prod-plan`,
    );
    expect(
      trust("hotels-github-deploy").Condition.StringEquals["token.actions.githubusercontent.com:sub"],
    ).toBe(`repo:${environments.prod.github.repository}:environment:prod`);
    expect(json).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
    });
  });

  it("passes the policy rules (admin deploy role and unlogged state bucket waived with reasons)", () => {
    // fullSynth keeps cdktf's metadata (construct paths), which suppressions match on.
    const stack = new BootstrapStack(new App(), "bootstrap-prod", { config: environments.prod });
    const full = JSON.parse(
      readFileSync(path.join(Testing.fullSynth(stack), "stacks/bootstrap-prod/cdk.tf.json"), "utf8"),
    );
    const report = checkStack(new StackView("bootstrap-prod", full));
    expect(report.findings).toEqual([]);
    expect(report.suppressed.map((s) => s.rule).sort()).toEqual([
      "iam-no-admin-policies",
      "s3-access-logging",
    ]);
  });

  it("can keep its state in a local file for the very first apply", () => {
    const { doc } = synthOf(true);
    expect(doc.terraform.backend.local.path).toMatch(/bootstrap-prod\.tfstate$/);
  });
});
