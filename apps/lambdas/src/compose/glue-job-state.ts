import { GlueClient } from "@aws-sdk/client-glue";
import { awsCore } from "../aws.ts";
import { readEnv, required } from "../env.ts";
import { glueCrawlStage, glueEtlStage } from "../stages/glue.ts";
import { tracer } from "../tracing.ts";

/** The function's AWS composition from the environment: loaded on the first event it accepts. */
export const compose = () => {
  const env = readEnv();
  const core = awsCore(env);
  const glue = tracer.captureAWSv3Client(new GlueClient({ region: env.AWS_REGION }));
  return {
    core,
    stages: {
      etl: glueEtlStage({ glue, jobName: required(env, "GLUE_JOB_NAME"), tables: core.tables }),
      crawl: glueCrawlStage({ glue, crawlerName: required(env, "GLUE_CRAWLER_NAME") }),
    },
  };
};

export type Deps = ReturnType<typeof compose>;
