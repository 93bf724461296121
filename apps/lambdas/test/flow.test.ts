import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { GlueClient, StartCrawlerCommand, StartJobRunCommand } from "@aws-sdk/client-glue";
import { S3Client } from "@aws-sdk/client-s3";
import {
  CreateModelCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { awsLayout, S3ObjectStore, TableLog } from "@hotels/lake";
import { RunLog } from "@hotels/pipeline";
import { cancellationFeatures } from "@hotels/schema";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as glueCrawlerState from "../src/handlers/glue-crawler-state.ts";
import * as glueJobState from "../src/handlers/glue-job-state.ts";
import * as schedule from "../src/handlers/schedule.ts";
import * as trainingState from "../src/handlers/training-state.ts";
import * as transformState from "../src/handlers/transform-state.ts";
import { lambdaContext, mockS3, sample, TEST_ENV } from "./support/aws.ts";

const s3 = mockS3();
const glue = mockClient(GlueClient);
const sagemaker = mockClient(SageMakerClient);
const athena = mockClient(AthenaClient);
const JOB_RUN_ID = sample<{ detail: { jobRunId: string } }>("glue-job-succeeded").detail.jobRunId;

const store = new S3ObjectStore({ client: new S3Client({ region: "eu-west-1" }) });
const layout = awsLayout({ prefix: "hotels", env: "dev" });
const runLog = new RunLog({ store, bucket: "hotels-dev-raw" });

/** Athena for the transform-state function: the version's files are absent until the INSERT ran, which
 * reports its UpdateCount. */
function athenaFake(files: { path: string; bytes: string; n: string }[]) {
  const sqlOf = new Map<string, string>();
  let inserted = false;
  const state = { updateCountAsked: false };
  let n = 0;
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    const id = `p${++n}`;
    sqlOf.set(id, input.QueryString);
    if (input.QueryString.startsWith("INSERT")) inserted = true;
    return { QueryExecutionId: id };
  });
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string; MaxResults?: number }) => {
    const sql = sqlOf.get(input.QueryExecutionId) ?? "";
    if (sql.startsWith("INSERT")) {
      if (input.MaxResults === 1) state.updateCountAsked = true;
      return { UpdateCount: files.reduce((a, f) => a + Number(f.n), 0), ResultSet: { Rows: [] } };
    }
    if (!sql.startsWith("SELECT")) return { ResultSet: { Rows: [] } };
    const cols = ["path", "bytes", "n"];
    const rows = inserted ? files : [];
    return {
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: [
            { Name: "path", Type: "varchar" },
            { Name: "bytes", Type: "bigint" },
            { Name: "n", Type: "bigint" },
          ],
        },
        Rows: [
          { Data: cols.map((c) => ({ VarCharValue: c })) },
          ...rows.map((f) => ({
            Data: [{ VarCharValue: f.path }, { VarCharValue: f.bytes }, { VarCharValue: f.n }],
          })),
        ],
      },
    };
  });
  return state;
}

function withName<T extends { detail: Record<string, unknown> }>(event: T, field: string, name: string): T {
  return { ...event, detail: { ...event.detail, [field]: name } };
}

/** What the Glue job does on AWS, as far as the next step sees it: committed curated snapshots. */
async function glueJobCommits(rows: number) {
  const tables = new TableLog({ store, layout, verifyFiles: false });
  await tables.commit("curated", "bookings", {
    runId: "glue-run",
    files: [{ key: "bookings/arrival_year=2017/arrival_month=7/part-0.parquet", rows, bytes: 1000 }],
    schemaHash: "h",
    operation: "overwrite",
  });
}

beforeAll(() => {
  Object.assign(process.env, TEST_ENV);
});

beforeEach(() => {
  s3.reset();
  glue.reset();
  sagemaker.reset();
  athena.reset();
  glue.on(StartJobRunCommand).resolves({ JobRunId: JOB_RUN_ID });
  glue.on(StartCrawlerCommand).resolves({});
  sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: "arn:training" });
  sagemaker.on(CreateModelCommand).resolves({ ModelArn: "arn:model" });
  sagemaker.on(CreateTransformJobCommand).resolves({ TransformJobArn: "arn:transform" });
  let n = 0;
  athena.on(StartQueryExecutionCommand).callsFake(() => ({ QueryExecutionId: `q${++n}` }));
  athena
    .on(GetQueryExecutionCommand)
    .resolves({ QueryExecution: { Status: { State: "SUCCEEDED" }, Statistics: { DataScannedInBytes: 10 } } });
  athena.on(GetQueryResultsCommand).resolves({
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: [{ Name: "v", Type: "varchar" }] },
      Rows: [
        { Data: [{ VarCharValue: "v" }] },
        { Data: [{ VarCharValue: "PRT" }] },
        { Data: [{ VarCharValue: "GBR" }] },
      ],
    },
  });
});

describe("the AWS pipeline, event by event (sample events from the AWS docs; AWS clients mocked)", () => {
  it("schedule → Glue job → crawler → training job → transform job, one run log", async () => {
    // 1. EventBridge schedule: a run with nothing to ingest starts the ETL Glue job.
    const started = (await schedule.makeHandler()(sample("scheduled-event"), lambdaContext())) as {
      runId: string;
      status: string;
      steps: Record<string, string>;
    };
    expect(started.status).toBe("waiting");
    expect(started.steps).toEqual({ ingest: "succeeded", etl: "pending" });
    const jobRun = glue.commandCalls(StartJobRunCommand)[0]!.args[0].input;
    expect(jobRun).toEqual({ JobName: "hotels-dev-etl", Arguments: { "--run_id": started.runId } });

    // 2. Glue Job State Change SUCCEEDED: LakeUpdated from the committed snapshots, crawler started.
    await glueJobCommits(119_210);
    const afterEtl = (await glueJobState.makeHandler()(sample("glue-job-succeeded"), lambdaContext())) as {
      status: string;
      steps: Record<string, string>;
    };
    expect(afterEtl).toMatchObject({ runId: started.runId, status: "waiting" });
    expect(afterEtl.steps).toMatchObject({ etl: "succeeded", crawl: "pending" });
    expect(glue.commandCalls(StartCrawlerCommand)[0]!.args[0].input).toEqual({ Name: "hotels-dev-lake" });

    // 3. Crawler Started is acknowledged; Succeeded finishes the crawl and starts training.
    expect(await glueCrawlerState.makeHandler()(sample("glue-crawler-started"), lambdaContext())).toEqual({
      ignored: true,
      reason: "crawler started",
    });
    const afterCrawl = (await glueCrawlerState.makeHandler()(
      sample("glue-crawler-succeeded"),
      lambdaContext(),
    )) as {
      steps: Record<string, string>;
    };
    expect(afterCrawl.steps).toMatchObject({ crawl: "succeeded", queries: "skipped", train: "pending" });
    const sqls = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(sqls.map((q) => q.WorkGroup)).toEqual([
      "hotels-dev-analytics",
      "hotels-dev-analytics",
      "hotels-dev-analytics",
    ]);
    expect(sqls[0]!.QueryString).toMatch(/^SELECT country AS v FROM curated\.bookings/);
    expect(sqls[1]!.QueryString).toMatch(
      /^UNLOAD \(SELECT CAST\(is_canceled AS DOUBLE\), COALESCE\(CAST\(CASE hotel_type WHEN 'Resort Hotel' THEN 0/,
    );
    // every feature is CSV text, a missing one an empty field (UNLOAD would write NULL as \N)
    expect(sqls[1]!.QueryString!.match(/COALESCE\(CAST\(/g)).toHaveLength(
      cancellationFeatures.features.length,
    );
    expect(sqls[1]!.QueryString!.match(/ AS VARCHAR\), ''\)/g)).toHaveLength(
      cancellationFeatures.features.length,
    );
    expect(sqls[1]!.QueryString).toContain("WHEN 'PRT' THEN 0 WHEN 'GBR' THEN 1");
    expect(sqls[1]!.QueryString).toMatch(
      /TO 's3:\/\/hotels-dev-models\/training\/hotels-dev-train-[^/]+\/train\/'/,
    );
    const training = sagemaker.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input;
    expect(training).toMatchObject({
      AlgorithmSpecification: { TrainingImage: TEST_ENV.TRAINING_IMAGE, TrainingInputMode: "File" },
      RoleArn: TEST_ENV.SAGEMAKER_ROLE_ARN,
      HyperParameters: { objective: "binary:logistic", eval_metric: "auc", max_depth: "8", eta: "0.1" },
      OutputDataConfig: { S3OutputPath: "s3://hotels-dev-models/sagemaker/" },
      ResourceConfig: { InstanceType: "ml.m5.xlarge", InstanceCount: 1 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    });
    expect(training.TrainingJobName).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
    expect(
      training.InputDataConfig?.map((c) => [c.ChannelName, c.ContentType, c.DataSource?.S3DataSource?.S3Uri]),
    ).toEqual([
      ["train", "text/csv", `s3://hotels-dev-models/training/${training.TrainingJobName}/train/`],
      ["validation", "text/csv", `s3://hotels-dev-models/training/${training.TrainingJobName}/validation/`],
    ]);

    // 4. Training Job Completed: the model is registered, batch scoring starts.
    const name = training.TrainingJobName!;
    const afterTrain = (await trainingState.makeHandler()(
      withName(sample("sagemaker-training-completed"), "TrainingJobName", name),
      lambdaContext(),
    )) as { steps: Record<string, string> };
    expect(afterTrain.steps).toMatchObject({ train: "succeeded", predict: "pending" });
    expect(s3.json("hotels-dev-models", `booking-cancellation/${name}/sagemaker.json`)).toMatchObject({
      trainingJob: name,
      artifacts: `s3://hotels-dev-models/sagemaker/hotels-dev-train-TRAININGJOB/output/model.tar.gz`,
      metrics: { auc: 0.9512 },
    });
    expect(sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input).toMatchObject({
      ModelName: name,
      ExecutionRoleArn: TEST_ENV.SAGEMAKER_ROLE_ARN,
      PrimaryContainer: { Image: TEST_ENV.TRAINING_IMAGE },
    });
    const transform = sagemaker.commandCalls(CreateTransformJobCommand)[0]!.args[0].input;
    expect(transform).toMatchObject({
      ModelName: name,
      TransformInput: { ContentType: "text/csv", SplitType: "Line" },
      TransformOutput: { AssembleWith: "Line" },
      DataProcessing: { InputFilter: "$[1:]", JoinSource: "Input", OutputFilter: "$[0,-1]" },
    });

    // 5. Transform Job Completed: Athena turns the transform output into predictions.booking_cancellations
    // (external CSV table, INSERT … JOIN curated.bookings, DROP), PredictionsWritten with the real rows.
    const athenaCalls = athena.commandCalls(StartQueryExecutionCommand).length;
    const predictionsAthena = athenaFake([
      {
        path: "s3://hotels-dev-predictions/booking_cancellations/arrival_year=2017/arrival_month=7/f1",
        bytes: "900",
        n: "70",
      },
      {
        path: "s3://hotels-dev-predictions/booking_cancellations/arrival_year=2017/arrival_month=8/f2",
        bytes: "800",
        n: "50",
      },
    ]);
    // The Parquet files Athena's INSERT writes (the snapshot commit checks they exist).
    for (const [f, bytes] of [
      ["arrival_year=2017/arrival_month=7/f1", 900],
      ["arrival_year=2017/arrival_month=8/f2", 800],
    ] as const)
      await store.put("hotels-dev-predictions", `booking_cancellations/${f}`, "PAR1".padEnd(bytes, "."));
    const done = (await transformState.makeHandler()(
      withName(sample("sagemaker-transform-completed"), "TransformJobName", transform.TransformJobName!),
      lambdaContext(),
    )) as { status: string };
    expect(done.status).toBe("succeeded");
    const statements = athena
      .commandCalls(StartQueryExecutionCommand)
      .slice(athenaCalls)
      .map((c) => c.args[0].input);
    expect(statements.map((q) => q.QueryString!.split(/\s/)[0])).toEqual([
      "CREATE",
      "SELECT",
      "INSERT",
      "SELECT",
      "DROP",
    ]);
    expect(statements.every((q) => q.WorkGroup === "hotels-dev-analytics")).toBe(true);
    expect(statements[0]!.QueryString).toContain(
      `LOCATION 's3://hotels-dev-predictions/batch/${transform.TransformJobName}/'`,
    );
    expect(statements[1]!.ExecutionParameters).toEqual([`'${name}'`]);
    expect(statements[2]!.QueryString).toContain(`'${name}'`);
    expect(predictionsAthena.updateCountAsked).toBe(true);
    const predicted = (await runLog.get(started.runId))!.steps.find((s) => s.name === "predict")!;
    expect(predicted.output).toEqual({
      table: "predictions.booking_cancellations",
      version: 1,
      rows: 120,
      model: `booking-cancellation/${name}`,
    });
    expect(predicted.counts).toEqual({ rows: 120, files: 2 });

    // The run log in the raw bucket holds the whole run, as `hotels pipeline status` reads it.
    const run = (await runLog.get(started.runId))!;
    expect(run.status).toBe("succeeded");
    expect(run.steps.map((s) => [s.name, s.status])).toEqual([
      ["ingest", "succeeded"],
      ["etl", "succeeded"],
      ["crawl", "succeeded"],
      ["queries", "skipped"],
      ["train", "succeeded"],
      ["predict", "succeeded"],
    ]);
    expect(run.steps.find((s) => s.name === "etl")?.output).toEqual({
      tables: { "curated.bookings": { version: 1, rows: 119_210 } },
    });
    expect(run.steps.find((s) => s.name === "crawl")?.counts).toMatchObject({ partitionsCreated: 26 });
  });

  it("records a failed Glue job run as a failed ETL step, and ignores job runs it did not start", async () => {
    const started = (await schedule.makeHandler()(sample("scheduled-event"), lambdaContext())) as {
      runId: string;
    };

    const failed = (await glueJobState.makeHandler()(sample("glue-job-failed"), lambdaContext())) as {
      status: string;
    };

    expect(failed.status).toBe("failed");
    const run = (await runLog.get(started.runId))!;
    expect(run.steps.find((s) => s.name === "etl")?.error?.message).toMatch(
      /Glue job hotels-dev-etl run jr_.* FAILED: An error occurred while calling o85.pyWriteDynamicFrame/,
    );
    expect(glue.commandCalls(StartCrawlerCommand)).toHaveLength(0);
    // The same notification again (EventBridge delivers at least once) is not a pipeline step any more.
    expect(await glueJobState.makeHandler()(sample("glue-job-failed"), lambdaContext())).toMatchObject({
      ignored: true,
    });
  });

  it("joins a crawl that is already running instead of failing", async () => {
    await schedule.makeHandler()(sample("scheduled-event"), lambdaContext());
    await glueJobCommits(10);
    glue.on(StartCrawlerCommand).rejects(
      Object.assign(new Error("Crawler with name hotels-dev-lake has already started"), {
        name: "CrawlerRunningException",
      }),
    );

    const r = (await glueJobState.makeHandler()(sample("glue-job-succeeded"), lambdaContext())) as {
      steps: Record<string, string>;
    };

    expect(r.steps.crawl).toBe("pending");
  });
});
