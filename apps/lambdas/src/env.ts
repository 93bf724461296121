import { z } from "zod";

/** Every environment variable a handler may read (infra sets them from `functions.ts`). */
export const LambdaEnv = z.object({
  /** Deployment environment: names resources `<prefix>-<env>-…`. */
  HOTELS_ENV: z.string().min(1),
  HOTELS_PREFIX: z.string().min(1).default("hotels"),
  AWS_REGION: z.string().min(1).default("eu-west-1"),
  /** The ETL Glue job the pipeline starts on SourceChanged. */
  GLUE_JOB_NAME: z.string().min(1).optional(),
  /** The crawler the pipeline starts on LakeUpdated. */
  GLUE_CRAWLER_NAME: z.string().min(1).optional(),
  /** RDS Data API target (ingestion). */
  DB_RESOURCE_ARN: z.string().min(1).optional(),
  DB_SECRET_ARN: z.string().min(1).optional(),
  DB_NAME: z.string().min(1).default("hotels"),
  /** Execution role SageMaker training / transform jobs run as. */
  SAGEMAKER_ROLE_ARN: z.string().min(1).optional(),
  /** Built-in XGBoost 1.7-1 image for the region (infra resolves it). */
  TRAINING_IMAGE: z.string().min(1).optional(),
  TRAINING_INSTANCE_TYPE: z.string().default("ml.m5.xlarge"),
  TRANSFORM_INSTANCE_TYPE: z.string().default("ml.m5.large"),
  /** Athena workgroup for the feature UNLOADs. Default `<prefix>-<env>-analytics` (infra's workgroup). */
  ATHENA_WORKGROUP: z.string().min(1).optional(),
  /** New curated.bookings rows that warrant retraining. */
  MIN_NEW_ROWS: z.coerce.number().int().nonnegative().default(1000),
});
export type LambdaEnv = z.infer<typeof LambdaEnv>;

/** Reads and validates the environment once; a missing variable is one clear error at cold start. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): LambdaEnv {
  const r = LambdaEnv.safeParse(env);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`environment: ${i.path.join(".")}: ${i.message}`);
  }
  return r.data;
}

/** A variable a given stage cannot do without. */
export function required<K extends keyof LambdaEnv>(env: LambdaEnv, key: K): NonNullable<LambdaEnv[K]> {
  const v = env[key];
  if (v === undefined || v === "") throw new Error(`environment: ${String(key)} is not set`);
  return v as NonNullable<LambdaEnv[K]>;
}

/** The Athena workgroup the functions use. */
export const workgroupOf = (env: LambdaEnv) =>
  env.ATHENA_WORKGROUP ?? `${env.HOTELS_PREFIX}-${env.HOTELS_ENV}-analytics`;
