import { S3Client } from "@aws-sdk/client-s3";
import { awsLayout, type LakeLayout, type ObjectStore, S3ObjectStore, TableLog } from "@hotels/lake";
import { type Progress, RunLog } from "@hotels/pipeline";
import type { LambdaEnv } from "./env.ts";
import { logger } from "./observability.ts";
import { tracer } from "./tracing.ts";

/** What every handler composes: the lake on S3 (run log included) under the environment's names. */
export interface AwsCore {
  readonly env: LambdaEnv;
  readonly s3: S3Client;
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly tables: TableLog;
  readonly runLog: RunLog;
}

/** The AWS composition root shared by the handlers (each adds only the clients its stages need, so its
 * bundle holds only those SDK clients). */
export function awsCore(env: LambdaEnv, s3?: S3Client): AwsCore {
  const client = s3 ?? tracer.captureAWSv3Client(new S3Client({ region: env.AWS_REGION }));
  const store = new S3ObjectStore({ client });
  const layout = awsLayout({ prefix: env.HOTELS_PREFIX, env: env.HOTELS_ENV });
  return {
    env,
    s3: client,
    store,
    layout,
    tables: new TableLog({ store, layout }),
    // The same log `hotels pipeline status` reads locally: `_pipeline/` in the raw zone's bucket.
    runLog: new RunLog({ store, bucket: layout.bucket("raw") }),
  };
}

/** Step transitions and progress go to the structured log. */
export const logSteps = {
  onStep: (step: { name: string; status: string; note?: string; counts?: Record<string, number> }) =>
    logger.info(`step ${step.name} ${step.status}`, { step }),
  onProgress: (step: string, p: Progress) => logger.debug(`step ${step} progress`, { progress: p }),
};
