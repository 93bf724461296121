import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FUNCTIONS } from "@hotels/lambdas";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp, synthWarnings } from "../src/app.ts";
import { environmentConfig, environments } from "../src/config/environments.ts";
import { readInputs } from "../src/inputs.ts";
import { checkStack, readStacks } from "../src/policy/check.ts";

const fixtures = path.join(import.meta.dirname, "fixtures");
const outdir = mkdtempSync(path.join(tmpdir(), "infra-app-test-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// Every input present (fixtures stand in for the Glue script and the Lambda bundles), and a model
// artifact in prod so the SageMaker endpoint is synthesized too: the whole app, synthesized once.
const inputs = {
  ...readInputs(),
  glueScriptPath: path.join(fixtures, "glue_etl.py"),
};
const bundleOf = () => path.join(fixtures, "handler.zip");
const prod = environmentConfig("prod", {
  sageMaker: { ...environments.prod.sageMaker, modelArtifactKey: "cancellation/1/model.tar.gz" },
});
const { app, stacks } = buildApp({
  outdir,
  inputs,
  bundleOf,
  environments: [environments.dev, environments.staging, prod],
});
app.synth();
const views = readStacks(outdir);
const doc = (env: string) =>
  JSON.parse(readFileSync(path.join(outdir, "stacks", env, "cdk.tf.json"), "utf8")) as {
    resource: Record<string, Record<string, Record<string, unknown>>>;
    terraform: { backend: { s3: Record<string, unknown> } };
    provider: { aws: { allowed_account_ids: string[]; region: string }[] };
  };

const COMPONENTS = [
  "aws_vpc",
  "aws_vpc_endpoint",
  "aws_kms_key",
  "aws_s3_bucket",
  "aws_rds_cluster",
  "terraform_data",
  "aws_glue_catalog_table",
  "aws_glue_job",
  "aws_glue_crawler",
  "aws_glue_connection",
  "aws_athena_workgroup",
  "aws_athena_named_query",
  "aws_iam_role",
  "aws_lambda_function",
  "aws_cloudwatch_event_rule",
  "aws_s3_bucket_notification",
  "aws_sqs_queue",
  "aws_cloudwatch_metric_alarm",
];

describe.each(["dev", "staging", "prod"])("stack %s", (env) => {
  const d = doc(env);
  const config = environments[env as "dev"];

  it("has every component", () => {
    for (const type of COMPONENTS) expect(Object.keys(d.resource[type] ?? {}), type).not.toHaveLength(0);
    expect(Object.keys(d.resource.aws_lambda_function!)).toHaveLength(FUNCTIONS.length);
  });

  it("keeps its state in its own S3 backend with locking, and deploys only to its account", () => {
    expect(d.terraform.backend.s3).toMatchObject({
      bucket: config.state.bucket,
      key: `hotels-pipeline/${env}.tfstate`,
      use_lockfile: true,
      encrypt: true,
    });
    expect(d.provider.aws[0]).toMatchObject({ allowed_account_ids: [config.account], region: config.region });
  });

  it("passes every policy rule", () => {
    const report = checkStack(views.find((v) => v.name === env)!);
    expect(report.findings).toEqual([]);
    expect(report.rules).toBeGreaterThanOrEqual(25);
  });
});

describe("environments", () => {
  it("protects prod only and scales it up", () => {
    const cluster = (env: string) => Object.values(doc(env).resource.aws_rds_cluster!)[0]!;
    expect(cluster("prod").deletion_protection).toBe(true);
    expect(cluster("dev").deletion_protection).toBe(false);
    expect(Object.keys(doc("prod").resource.aws_subnet!)).toHaveLength(3);
    expect(Object.keys(doc("dev").resource.aws_subnet!)).toHaveLength(2);
    expect(Object.keys(doc("prod").resource.aws_sagemaker_endpoint ?? {})).toHaveLength(1);
    expect(doc("dev").resource.aws_sagemaker_endpoint).toBeUndefined();
  });

  it("reports nothing missing when every input exists", () => {
    expect(synthWarnings(stacks)).toEqual([]);
  });

  it("rejects an invalid environment config naming the field", () => {
    expect(() => environmentConfig("dev", { account: "12" })).toThrow(/environment dev: account: a 12-digit/);
    expect(() => environmentConfig("qa")).toThrow(/unknown environment "qa"/);
  });
});
