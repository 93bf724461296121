import path from "node:path";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification/index.js";
import { describe, expect, it } from "vitest";
import { DataLake } from "../src/constructs/data-lake.ts";
import { PIPELINE_FUNCTIONS } from "../src/constructs/function-specs.ts";
import { PipelineFunctions } from "../src/constructs/pipeline-functions.ts";
import { ENV, KEY, resources, synth } from "./helpers.ts";

const zip = path.join(import.meta.dirname, "fixtures/handler.zip");

const make = (bundles: Map<string, string>) => {
  let construct: PipelineFunctions | undefined;
  const out = synth((s) => {
    const lake = new DataLake(s, "lake", { namePrefix: "hotels-test", account: ENV.account, kmsKeyArn: KEY });
    construct = new PipelineFunctions(s, "fns", {
      ...ENV,
      prefix: "hotels",
      env: "test",
      functions: PIPELINE_FUNCTIONS,
      bundles,
      subnetIds: ["subnet-a"],
      securityGroupIds: ["sg"],
      logsKeyArn: KEY,
      alarmEmail: "ops@example.com",
      logRetentionDays: 14,
      schedule: "rate(2 hours)",
      resources: {
        buckets: lake.buckets,
        lakeKeyArn: KEY,
        databaseKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/db",
        database: { clusterArn: "arn:cluster", secretArn: "arn:secret", name: "hotels" },
        glueJobName: "hotels-test-etl",
        crawlerName: "hotels-test-partitions",
        catalogDatabases: ["raw", "curated"],
        workgroupName: "hotels-test-analytics",
        sageMakerRoleArn: "arn:aws:iam::123456789012:role/sm",
        xgboostImageUri: "image",
      },
    });
  });
  return { ...out, construct: construct! };
};

describe("PipelineFunctions", () => {
  const all = new Map(PIPELINE_FUNCTIONS.map((f) => [f.name, zip]));
  const { json, doc } = make(all);

  it("deploys every function from its zip with DLQ, tracing, KMS environment, VPC and a log group", () => {
    const fns = resources(doc, "aws_lambda_function");
    expect(fns).toHaveLength(PIPELINE_FUNCTIONS.length);
    for (const f of fns) {
      expect(f.tracing_config).toEqual({ mode: "Active" });
      expect(String((f.dead_letter_config as { target_arn: string }).target_arn)).toContain("aws_sqs_queue");
      expect(f.kms_key_arn).toBe(KEY);
      expect(f.runtime).toBe("nodejs22.x");
      expect(String(f.filename)).toMatch(/^assets\/.*handler\.zip$/);
    }
    expect(json).toHaveResourceWithProperties(LambdaFunction, { function_name: "hotels-test-ingest" });
    const logs = resources(doc, "aws_cloudwatch_log_group");
    expect(logs).toHaveLength(PIPELINE_FUNCTIONS.length);
    for (const l of logs) expect(l).toMatchObject({ retention_in_days: 14, kms_key_id: KEY });
  });

  it("gives each function its own role, with no wildcard actions and exact ARNs", () => {
    expect(resources(doc, "aws_iam_role")).toHaveLength(PIPELINE_FUNCTIONS.length);
    for (const p of resources(doc, "aws_iam_role_policy")) {
      const doc = JSON.parse(String(p.policy));
      for (const st of doc.Statement) for (const a of [st.Action].flat()) expect(a).not.toContain("*");
    }
    const ingest = resources(doc, "aws_iam_role_policy").find((p) => String(p.role).includes("ingest-role"))!;
    const stmts = JSON.parse(String(ingest.policy)).Statement as { Sid: string; Resource: unknown }[];
    expect(stmts.find((s) => s.Sid === "DataApi")!.Resource).toEqual(["arn:cluster"]);
    expect(stmts.find((s) => s.Sid === "SageMakerJobs")).toBeUndefined();
  });

  it("wires S3 raw/incoming/, the schedule and Glue/SageMaker state changes", () => {
    expect(json).toHaveResourceWithProperties(S3BucketNotification, {
      lambda_function: [
        expect.objectContaining({ events: ["s3:ObjectCreated:*"], filter_prefix: "incoming/" }),
      ],
    });
    expect(json).toHaveResourceWithProperties(CloudwatchEventRule, { schedule_expression: "rate(2 hours)" });
    const patterns = resources(doc, "aws_cloudwatch_event_rule")
      .filter((r) => r.event_pattern)
      .map((r) => JSON.parse(String(r.event_pattern))["detail-type"]);
    expect(patterns.flat()).toEqual(
      expect.arrayContaining([
        "Glue Job State Change",
        "Glue Crawler State Change",
        "SageMaker Training Job State Change",
      ]),
    );
    const permissions = resources(doc, "aws_lambda_permission");
    expect(permissions.filter((p) => p.principal === "s3.amazonaws.com")).toHaveLength(1);
    expect(permissions.filter((p) => p.principal === "events.amazonaws.com").length).toBe(
      resources(doc, "aws_cloudwatch_event_target").length,
    );
  });

  it("alarms on errors of every function and on a non-empty DLQ, to an e-mail topic", () => {
    expect(resources(doc, "aws_cloudwatch_metric_alarm")).toHaveLength(PIPELINE_FUNCTIONS.length + 1);
    expect(resources(doc, "aws_sns_topic_subscription")[0]).toMatchObject({
      protocol: "email",
      endpoint: "ops@example.com",
    });
  });

  it("skips, and reports, functions whose bundle is missing", () => {
    const { doc, construct } = make(new Map([["etl", zip]]));
    expect(resources(doc, "aws_lambda_function")).toHaveLength(1);
    expect(construct.skipped).toEqual(["ingest", "crawl", "train", "predict"]);
    expect(doc.resource?.aws_s3_bucket_notification).toBeUndefined();
  });
});
