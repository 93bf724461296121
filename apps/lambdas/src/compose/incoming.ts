import { GlueClient } from "@aws-sdk/client-glue";
import { openDataApi } from "@hotels/source";
import { awsCore } from "../aws.ts";
import { readEnv, required } from "../env.ts";
import { glueEtlStage } from "../stages/glue.ts";
import { dataApiIngestStage } from "../stages/ingest.ts";
import { tracer } from "../tracing.ts";

/** The function's AWS composition from the environment: loaded on the first event it accepts. */
export const compose = () => {
  const env = readEnv();
  const core = awsCore(env);
  const glue = tracer.captureAWSv3Client(new GlueClient({ region: env.AWS_REGION }));
  const source = async () =>
    openDataApi({
      resourceArn: required(env, "DB_RESOURCE_ARN"),
      secretArn: required(env, "DB_SECRET_ARN"),
      database: env.DB_NAME,
    });
  return {
    core,
    stages: {
      ingest: dataApiIngestStage({ store: core.store, source }),
      etl: glueEtlStage({ glue, jobName: required(env, "GLUE_JOB_NAME"), tables: core.tables }),
    },
  };
};

export type Deps = ReturnType<typeof compose>;
