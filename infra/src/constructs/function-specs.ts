import type { LakeZone } from "@hotels/schema";

/** What invokes a function. */
export type FunctionTrigger =
  /** Objects created under `prefix` of a zone bucket (S3 notification). */
  | { readonly kind: "s3"; readonly zone: LakeZone; readonly prefix: string }
  /** An EventBridge schedule (`rate(…)`/`cron(…)`); `expression` undefined: the environment's ETL schedule. */
  | { readonly kind: "schedule"; readonly expression?: string }
  /** EventBridge events from AWS services; the construct scopes the pattern to this stack's resources. */
  | { readonly kind: "glue-state" }
  | { readonly kind: "sagemaker-state" };

/** What a function may touch; the construct turns it into one least-privilege policy of exact ARNs. */
export interface FunctionAccess {
  readonly read?: readonly LakeZone[];
  readonly write?: readonly LakeZone[];
  /** Data API statements on the source cluster with its secret. */
  readonly database?: boolean;
  /** Start and watch the ETL job. */
  readonly glueJob?: boolean;
  /** Start and watch the crawler. */
  readonly crawler?: boolean;
  /** Read and update the Data Catalog's lake databases and tables. */
  readonly catalog?: boolean;
  /** Run queries in the workgroup. */
  readonly athena?: boolean;
  /** Create and watch training / batch-transform jobs and models with the SageMaker execution role. */
  readonly sagemaker?: boolean;
}

export interface FunctionSpec {
  /** Handler name: `apps/lambdas/dist/<name>.zip`; the function is `<prefix>-<env>-<name>`. */
  readonly name: string;
  readonly description: string;
  readonly triggers: readonly FunctionTrigger[];
  readonly access: FunctionAccess;
  /** Overrides of the environment's memory and timeout. */
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
}

/** The pipeline's Lambda functions: which event starts each and what it may touch. The code of each is
 * `apps/lambdas`' bundle of the same name; a spec whose bundle is missing is skipped with a warning. */
export const PIPELINE_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: "ingest",
    description: "Loads files landing in raw/incoming/ into the source database (rejects quarantined)",
    triggers: [{ kind: "s3", zone: "raw", prefix: "incoming/" }],
    access: { read: ["raw"], write: ["rejected"], database: true },
  },
  {
    name: "etl",
    description: "Starts the incremental Glue ETL run on schedule and after ingestion",
    triggers: [{ kind: "schedule" }],
    access: { read: ["raw", "processed", "curated"], glueJob: true, database: true },
  },
  {
    name: "crawl",
    description: "After an ETL run: starts the crawler, registers partitions and reports schema drift",
    triggers: [{ kind: "glue-state" }],
    access: { read: ["raw", "processed", "curated", "predictions"], crawler: true, catalog: true },
  },
  {
    name: "train",
    description: "After the catalog is updated: builds features with Athena and starts a training job",
    triggers: [{ kind: "glue-state" }],
    access: {
      read: ["curated", "models"],
      write: ["query-results", "models"],
      catalog: true,
      athena: true,
      sagemaker: true,
    },
  },
  {
    name: "predict",
    description: "After training: registers the model and runs batch scoring into predictions/",
    triggers: [{ kind: "sagemaker-state" }],
    access: {
      read: ["curated", "models", "query-results"],
      write: ["models", "predictions", "query-results"],
      catalog: true,
      athena: true,
      sagemaker: true,
    },
  },
];
