/** The Lambda functions, as data: infra creates one function per entry (a TerraformAsset of
 * `dist/<name>.zip`, handler `index.handler`), its triggers, environment and a least-privilege role built
 * from `permissions`. Keep in step with `src/handlers/`. */
import path from "node:path";
import type { LakeZone } from "@hotels/schema";
import type { LambdaEnv } from "./env.ts";

/** A resource a permission applies to, resolved by infra to the environment's ARNs. */
export type ResourceRef =
  | { readonly kind: "bucket"; readonly zone: LakeZone; readonly keys?: string }
  | { readonly kind: "glue-job" }
  | { readonly kind: "glue-crawler" }
  | { readonly kind: "glue-catalog"; readonly databases: readonly string[] }
  | { readonly kind: "rds-cluster" }
  | { readonly kind: "db-secret" }
  | { readonly kind: "sagemaker"; readonly what: "training-job" | "transform-job" | "model" }
  | { readonly kind: "sagemaker-role" }
  | { readonly kind: "athena-workgroup" }
  | { readonly kind: "kms-key" }
  /** Actions that support no resource scoping (X-Ray, CloudWatch metrics). */
  | { readonly kind: "*" };

export interface Permission {
  readonly actions: readonly string[];
  readonly resources: readonly ResourceRef[];
  /** Why the function needs it (kept next to the grant for review). */
  readonly why: string;
}

export type Trigger =
  | {
      readonly kind: "s3";
      readonly zone: LakeZone;
      readonly prefix: string;
      readonly events: readonly string[];
    }
  | { readonly kind: "schedule"; readonly expression: string }
  | { readonly kind: "eventbridge"; readonly pattern: Readonly<Record<string, readonly string[]>> }
  | { readonly kind: "function-url"; readonly authType: "AWS_IAM" };

export interface LambdaFunction {
  readonly name: string;
  readonly description: string;
  /** Source entry (esbuild input), relative to `apps/lambdas`. */
  readonly entry: string;
  /** The zip infra uploads, relative to `apps/lambdas`. */
  readonly zip: string;
  readonly handler: "index.handler";
  readonly runtime: "nodejs22.x";
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly triggers: readonly Trigger[];
  /** Environment variables it reads (beyond HOTELS_ENV / HOTELS_PREFIX / POWERTOOLS_*, set for all). */
  readonly env: readonly (keyof LambdaEnv)[];
  readonly permissions: readonly Permission[];
}

const COMMON_ENV = ["HOTELS_ENV", "HOTELS_PREFIX"] as const satisfies readonly (keyof LambdaEnv)[];

const runLog: Permission = {
  actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
  resources: [{ kind: "bucket", zone: "raw", keys: "_pipeline/*" }],
  why: "read and write the pipeline run log",
};
const runLogList: Permission = {
  actions: ["s3:ListBucket"],
  resources: [{ kind: "bucket", zone: "raw" }],
  why: "list runs in the run log (and HEAD missing keys as 404, not 403)",
};
const observability: Permission = {
  actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
  resources: [{ kind: "*" }],
  why: "Powertools tracer (X-Ray); metrics go through the log (EMF), logs through the execution role",
};
const kms: Permission = {
  actions: ["kms:Decrypt", "kms:GenerateDataKey"],
  resources: [{ kind: "kms-key" }],
  why: "the lake buckets are encrypted with the environment's key",
};
const dataApi: Permission[] = [
  {
    actions: [
      "rds-data:ExecuteStatement",
      "rds-data:BatchExecuteStatement",
      "rds-data:BeginTransaction",
      "rds-data:CommitTransaction",
      "rds-data:RollbackTransaction",
    ],
    resources: [{ kind: "rds-cluster" }],
    why: "ingest through the RDS Data API",
  },
  {
    actions: ["secretsmanager:GetSecretValue"],
    resources: [{ kind: "db-secret" }],
    why: "Data API credentials",
  },
];
const startEtl: Permission = {
  actions: ["glue:StartJobRun"],
  resources: [{ kind: "glue-job" }],
  why: "start the ETL job on SourceChanged",
};
const readCurated: Permission = {
  actions: ["s3:GetObject"],
  resources: [{ kind: "bucket", zone: "curated", keys: "_snapshots/*" }],
  why: "read the snapshots the ETL job committed (LakeUpdated)",
};
const listCurated: Permission = {
  actions: ["s3:ListBucket"],
  resources: [{ kind: "bucket", zone: "curated" }],
  why: "HEAD of absent snapshot versions",
};
/** Running Athena statements in the environment's workgroup. */
const athenaQueries = (why: string): Permission => ({
  actions: [
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
  ],
  resources: [{ kind: "athena-workgroup" }],
  why,
});
/** Athena reads curated.bookings with the caller's credentials: its catalog entry and its files. */
const athenaReadsCurated: Permission[] = [
  {
    actions: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
    resources: [{ kind: "glue-catalog", databases: ["curated"] }],
    why: "Athena reads curated.bookings through the catalog",
  },
  {
    actions: ["s3:GetObject", "s3:ListBucket"],
    resources: [
      { kind: "bucket", zone: "curated" },
      { kind: "bucket", zone: "curated", keys: "*" },
    ],
    why: "Athena scans curated.bookings with the caller's credentials",
  },
];
const athenaUnload: Permission[] = [
  athenaQueries("UNLOAD the feature CSVs"),
  ...athenaReadsCurated,
  {
    actions: [
      "s3:PutObject",
      "s3:GetObject",
      "s3:ListBucket",
      "s3:GetBucketLocation",
      "s3:AbortMultipartUpload",
    ],
    resources: [
      { kind: "bucket", zone: "query-results" },
      { kind: "bucket", zone: "query-results", keys: "*" },
      { kind: "bucket", zone: "models" },
      { kind: "bucket", zone: "models", keys: "training/*" },
      { kind: "bucket", zone: "models", keys: "scoring/*" },
    ],
    why: "query results and UNLOAD output",
  },
];
/** The transform output → predictions.booking_cancellations through Athena (an external CSV table over the
 * output, INSERT INTO … JOIN curated.bookings, DROP TABLE), and the snapshot it commits. */
const predictionsInsert: Permission[] = [
  athenaQueries("create the transform output's table, INSERT the predictions, drop the table"),
  {
    actions: [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:CreateTable",
      "glue:DeleteTable",
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
      "glue:UpdatePartition",
    ],
    resources: [{ kind: "glue-catalog", databases: ["predictions"] }],
    why: "the transform output's external table, and the partitions INSERT INTO adds to booking_cancellations",
  },
  ...athenaReadsCurated,
  {
    actions: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
    resources: [
      { kind: "bucket", zone: "predictions" },
      { kind: "bucket", zone: "predictions", keys: "batch/*" },
    ],
    why: "Athena reads the transform output (CSV)",
  },
  {
    actions: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
    resources: [
      { kind: "bucket", zone: "predictions", keys: "booking_cancellations/*" },
      { kind: "bucket", zone: "predictions", keys: "_snapshots/*" },
    ],
    why: "Athena writes the Parquet partitions; the step commits the table snapshot",
  },
  {
    actions: ["s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
    resources: [
      { kind: "bucket", zone: "query-results" },
      { kind: "bucket", zone: "query-results", keys: "*" },
    ],
    why: "Athena query results",
  },
  {
    actions: ["s3:GetObject"],
    resources: [{ kind: "bucket", zone: "models", keys: "*" }],
    why: "the model's registry entry (its decision threshold)",
  },
];

const passRole: Permission = {
  actions: ["iam:PassRole"],
  resources: [{ kind: "sagemaker-role" }],
  why: "SageMaker jobs run as the environment's SageMaker role",
};

const entry = (name: string) => `src/handlers/${name}.ts`;
const zip = (name: string) => `dist/${name}.zip`;

export const FUNCTIONS: readonly LambdaFunction[] = [
  {
    name: "ingest-api",
    description:
      "Hotels.com → RDS: validate a batch of records, upsert through the Data API, quarantine rejects",
    entry: entry("ingest-api"),
    zip: zip("ingest-api"),
    handler: "index.handler",
    runtime: "nodejs22.x",
    memoryMb: 512,
    timeoutSeconds: 60,
    triggers: [{ kind: "function-url", authType: "AWS_IAM" }],
    env: [...COMMON_ENV, "DB_RESOURCE_ARN", "DB_SECRET_ARN", "DB_NAME"],
    permissions: [...dataApi, observability],
  },
  {
    name: "incoming",
    description: "S3 ObjectCreated on raw/incoming/ → ingest the file into RDS → start the ETL job",
    entry: entry("incoming"),
    zip: zip("incoming"),
    handler: "index.handler",
    runtime: "nodejs22.x",
    memoryMb: 1024,
    timeoutSeconds: 900,
    triggers: [{ kind: "s3", zone: "raw", prefix: "incoming/", events: ["s3:ObjectCreated:*"] }],
    env: [...COMMON_ENV, "DB_RESOURCE_ARN", "DB_SECRET_ARN", "DB_NAME", "GLUE_JOB_NAME"],
    permissions: [
      {
        actions: ["s3:GetObject"],
        resources: [{ kind: "bucket", zone: "raw", keys: "incoming/*" }],
        why: "read the dropped file",
      },
      ...dataApi,
      startEtl,
      runLog,
      runLogList,
      kms,
      observability,
    ],
  },
  {
    name: "schedule",
    description: "EventBridge schedule → a pipeline run: ETL of whatever changed, training when due",
    entry: entry("schedule"),
    zip: zip("schedule"),
    handler: "index.handler",
    runtime: "nodejs22.x",
    memoryMb: 256,
    timeoutSeconds: 60,
    triggers: [{ kind: "schedule", expression: "rate(1 day)" }],
    env: [...COMMON_ENV, "DB_RESOURCE_ARN", "DB_SECRET_ARN", "DB_NAME", "GLUE_JOB_NAME"],
    permissions: [startEtl, runLog, runLogList, kms, observability],
  },
  {
    name: "glue-job-state",
    description: "Glue Job State Change → finish the ETL step (LakeUpdated) → start the crawler",
    entry: entry("glue-job-state"),
    zip: zip("glue-job-state"),
    handler: "index.handler",
    runtime: "nodejs22.x",
    memoryMb: 256,
    timeoutSeconds: 60,
    triggers: [
      { kind: "eventbridge", pattern: { source: ["aws.glue"], "detail-type": ["Glue Job State Change"] } },
    ],
    env: [...COMMON_ENV, "GLUE_JOB_NAME", "GLUE_CRAWLER_NAME"],
    permissions: [
      { actions: ["glue:StartCrawler"], resources: [{ kind: "glue-crawler" }], why: "crawl on LakeUpdated" },
      readCurated,
      listCurated,
      runLog,
      runLogList,
      kms,
      observability,
    ],
  },
  {
    name: "glue-crawler-state",
    description:
      "Glue Crawler State Change → CatalogUpdated → export features (Athena) → SageMaker training job",
    entry: entry("glue-crawler-state"),
    zip: zip("glue-crawler-state"),
    handler: "index.handler",
    runtime: "nodejs22.x",
    memoryMb: 256,
    timeoutSeconds: 900,
    triggers: [
      {
        kind: "eventbridge",
        pattern: { source: ["aws.glue"], "detail-type": ["Glue Crawler State Change"] },
      },
    ],
    env: [
      ...COMMON_ENV,
      "GLUE_CRAWLER_NAME",
      "SAGEMAKER_ROLE_ARN",
      "TRAINING_IMAGE",
      "TRAINING_INSTANCE_TYPE",
      "MIN_NEW_ROWS",
    ],
    permissions: [
      {
        actions: ["sagemaker:CreateTrainingJob", "sagemaker:AddTags"],
        resources: [{ kind: "sagemaker", what: "training-job" }],
        why: "train on CatalogUpdated",
      },
      passRole,
      ...athenaUnload,
      runLog,
      runLogList,
      kms,
      observability,
    ],
  },
  {
    name: "training-state",
    description: "SageMaker Training Job State Change → register the model → SageMaker transform job",
    entry: entry("training-state"),
    zip: zip("training-state"),
    handler: "index.handler",
    runtime: "nodejs22.x",
    memoryMb: 256,
    timeoutSeconds: 900,
    triggers: [
      {
        kind: "eventbridge",
        pattern: { source: ["aws.sagemaker"], "detail-type": ["SageMaker Training Job State Change"] },
      },
    ],
    env: [
      ...COMMON_ENV,
      "SAGEMAKER_ROLE_ARN",
      "TRAINING_IMAGE",
      "TRANSFORM_INSTANCE_TYPE",
      "ATHENA_WORKGROUP",
    ],
    permissions: [
      {
        actions: ["sagemaker:CreateModel", "sagemaker:CreateTransformJob", "sagemaker:AddTags"],
        resources: [
          { kind: "sagemaker", what: "model" },
          { kind: "sagemaker", what: "transform-job" },
        ],
        why: "batch-score with the new model",
      },
      passRole,
      {
        actions: ["s3:GetObject", "s3:PutObject"],
        resources: [{ kind: "bucket", zone: "models", keys: "*" }],
        why: "model registry entries and training metadata",
      },
      ...athenaUnload,
      runLog,
      runLogList,
      kms,
      observability,
    ],
  },
  {
    name: "transform-state",
    description:
      "SageMaker Transform Job State Change → Athena INSERT into predictions.booking_cancellations → PredictionsWritten",
    entry: entry("transform-state"),
    zip: zip("transform-state"),
    handler: "index.handler",
    runtime: "nodejs22.x",
    memoryMb: 256,
    // The INSERT over ~120k rows takes tens of seconds on Athena; a Lambda may wait up to 15 minutes.
    timeoutSeconds: 900,
    triggers: [
      {
        kind: "eventbridge",
        pattern: { source: ["aws.sagemaker"], "detail-type": ["SageMaker Transform Job State Change"] },
      },
    ],
    env: [...COMMON_ENV, "ATHENA_WORKGROUP"],
    permissions: [...predictionsInsert, readCurated, listCurated, runLog, runLogList, kms, observability],
  },
];

/** Absolute path of a function's zip (for TerraformAsset). */
export function zipPath(fn: LambdaFunction): string {
  return path.join(import.meta.dirname, "..", fn.zip);
}
