import path from "node:path";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url/index.js";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification/index.js";
import { FUNCTIONS } from "@hotels/lambdas";
import { describe, expect, it } from "vitest";
import { DataLake } from "../src/constructs/data-lake.ts";
import { type FunctionSpec, PipelineFunctions, scopePattern } from "../src/constructs/pipeline-functions.ts";
import { ENV, KEY, resources, synth } from "./helpers.ts";

const zip = path.join(import.meta.dirname, "fixtures/handler.zip");
const DB_KEY = "arn:aws:kms:eu-west-1:123456789012:key/db";

const make = (
  bundleOf: (fn: FunctionSpec) => string | undefined,
  glueJobName: string | null = "hotels-test-etl",
) => {
  let construct: PipelineFunctions | undefined;
  const out = synth((s) => {
    const lake = new DataLake(s, "lake", { namePrefix: "hotels-test", account: ENV.account, kmsKeyArn: KEY });
    construct = new PipelineFunctions(s, "fns", {
      ...ENV,
      prefix: "hotels",
      env: "test",
      functions: FUNCTIONS,
      bundleOf,
      subnetIds: ["subnet-a"],
      securityGroupIds: ["sg"],
      logsKeyArn: KEY,
      alarmEmail: "ops@example.com",
      logRetentionDays: 14,
      schedule: "rate(2 hours)",
      resources: {
        buckets: lake.buckets,
        lakeKeyArn: KEY,
        databaseKeyArn: DB_KEY,
        database: { clusterArn: "arn:cluster", secretArn: "arn:secret", name: "hotels" },
        glueJobName: glueJobName ?? undefined,
        crawlerName: "hotels-test-partitions",
        workgroupName: "hotels-test-analytics",
        sageMakerRoleArn: "arn:aws:iam::123456789012:role/sm",
        xgboostImageUri: "image",
      },
    });
  });
  return { ...out, construct: construct! };
};
const policyOf = (doc: ReturnType<typeof make>["doc"], fn: string) =>
  JSON.parse(
    String(
      resources(doc, "aws_iam_role_policy").find((p) => String(p.role).includes(`fns_${fn}-role`))!.policy,
    ),
  ).Statement as { Sid: string; Action: string[]; Resource: string | string[]; Condition?: unknown }[];

describe("PipelineFunctions", () => {
  const { json, doc, construct } = make(() => zip);

  it("deploys every function of @hotels/lambdas with DLQ, tracing, KMS environment, VPC and a log group", () => {
    const fns = resources(doc, "aws_lambda_function");
    expect(fns).toHaveLength(FUNCTIONS.length);
    for (const f of fns) {
      expect(f.tracing_config).toEqual({ mode: "Active" });
      expect(String((f.dead_letter_config as { target_arn: string }).target_arn)).toContain("aws_sqs_queue");
      expect(f.kms_key_arn).toBe(KEY);
      expect(f.runtime).toBe("nodejs22.x");
      expect(String(f.filename)).toMatch(/^assets\/.*handler\.zip$/);
    }
    const incoming = FUNCTIONS.find((f) => f.name === "incoming")!;
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "hotels-test-incoming",
      memory_size: incoming.memoryMb,
      timeout: incoming.timeoutSeconds,
    });
    const logs = resources(doc, "aws_cloudwatch_log_group");
    expect(logs).toHaveLength(FUNCTIONS.length);
    for (const l of logs) expect(l).toMatchObject({ retention_in_days: 14, kms_key_id: KEY });
  });

  it("sets the environment each function's spec asks for", () => {
    const vars = (name: string) =>
      (
        resources(doc, "aws_lambda_function").find((f) => f.function_name === `hotels-test-${name}`)!
          .environment as {
          variables: Record<string, string>;
        }
      ).variables;
    expect(vars("incoming")).toMatchObject({
      HOTELS_ENV: "test",
      HOTELS_PREFIX: "hotels",
      DB_RESOURCE_ARN: "arn:cluster",
      DB_SECRET_ARN: "arn:secret",
      GLUE_JOB_NAME: "hotels-test-etl",
    });
    expect(vars("glue-crawler-state")).toMatchObject({
      ATHENA_WORKGROUP: "hotels-test-analytics",
      TRAINING_IMAGE: "image",
    });
    expect(vars("transform-state").DB_SECRET_ARN).toBeUndefined();
  });

  it("gives each function its own role: named actions, this stack's ARNs, infra's own needs", () => {
    expect(resources(doc, "aws_iam_role")).toHaveLength(FUNCTIONS.length);
    for (const f of FUNCTIONS)
      for (const st of policyOf(doc, f.name)) for (const a of st.Action) expect(a).not.toContain("*");
    const incoming = policyOf(doc, "incoming");
    const all = (sts: typeof incoming) => sts.flatMap((s) => [s.Resource].flat());
    expect(all(incoming)).toContain("arn:cluster");
    expect(all(incoming)).toContain("arn:aws:glue:eu-west-1:123456789012:job/hotels-test-etl");
    expect(incoming.find((s) => s.Sid === "DatabaseSecretKey")!.Resource).toEqual([DB_KEY]);
    expect(all(incoming).some((r) => r.includes("lake_raw") && r.endsWith("/incoming/*"))).toBe(true);
    const training = policyOf(doc, "training-state");
    expect(all(training)).toContain("arn:aws:sagemaker:eu-west-1:123456789012:transform-job/hotels-test-*");
    expect(training.find((s) => s.Action.includes("iam:PassRole"))!.Condition).toEqual({
      StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" },
    });
    expect(policyOf(doc, "schedule").find((s) => s.Sid === "DatabaseSecretKey")).toBeUndefined();
  });

  it("wires S3 raw/incoming/, the schedule, the state-change rules scoped to this stack, the function URL", () => {
    expect(json).toHaveResourceWithProperties(S3BucketNotification, {
      lambda_function: [
        expect.objectContaining({ events: ["s3:ObjectCreated:*"], filter_prefix: "incoming/" }),
      ],
    });
    expect(json).toHaveResourceWithProperties(CloudwatchEventRule, { schedule_expression: "rate(2 hours)" });
    const patterns = resources(doc, "aws_cloudwatch_event_rule")
      .filter((r) => r.event_pattern)
      .map((r) => JSON.parse(String(r.event_pattern)));
    expect(patterns).toContainEqual({
      source: ["aws.glue"],
      "detail-type": ["Glue Job State Change"],
      detail: { jobName: ["hotels-test-etl"] },
    });
    expect(patterns).toContainEqual(
      expect.objectContaining({ detail: { TrainingJobName: [{ prefix: "hotels-test-" }] } }),
    );
    expect(json).toHaveResourceWithProperties(LambdaFunctionUrl, { authorization_type: "AWS_IAM" });
    const permissions = resources(doc, "aws_lambda_permission");
    expect(permissions.filter((p) => p.principal === "events.amazonaws.com").length).toBe(
      resources(doc, "aws_cloudwatch_event_target").length,
    );
    expect(construct.unresolved).toEqual([]);
  });

  it("alarms on errors of every function and on a non-empty DLQ, to an e-mail topic", () => {
    expect(resources(doc, "aws_cloudwatch_metric_alarm")).toHaveLength(FUNCTIONS.length + 1);
    expect(resources(doc, "aws_sns_topic_subscription")[0]).toMatchObject({
      protocol: "email",
      endpoint: "ops@example.com",
    });
  });

  it("skips, and reports, functions whose bundle is missing", () => {
    const { doc, construct } = make((f) => (f.name === "schedule" ? zip : undefined));
    expect(resources(doc, "aws_lambda_function")).toHaveLength(1);
    expect(construct.skipped).toEqual(FUNCTIONS.map((f) => f.name).filter((n) => n !== "schedule"));
    expect(doc.resource?.aws_s3_bucket_notification).toBeUndefined();
  });

  it("drops, and reports, a permission on a resource the stack lacks (no Glue job)", () => {
    const { construct } = make(() => zip, null);
    expect(construct.unresolved.some((u) => u.startsWith("incoming: glue:StartJobRun"))).toBe(true);
  });
});

describe("scopePattern", () => {
  it("leaves multi-type patterns alone (detail fields would be ANDed)", () => {
    const p = { source: ["aws.glue"], "detail-type": ["Glue Job State Change", "Glue Crawler State Change"] };
    expect(scopePattern(p, "x", { glueJobName: "j", crawlerName: "c" })).toEqual(p);
  });
});
