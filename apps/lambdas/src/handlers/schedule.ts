import { GlueClient } from "@aws-sdk/client-glue";
import { openDataApi } from "@hotels/source";
import { awsCore } from "../aws.ts";
import { lazy, pipelineFor, runSummary } from "../compose.ts";
import { readEnv, required } from "../env.ts";
import { ScheduledEvent } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { tracer } from "../observability.ts";
import { glueEtlStage } from "../stages/glue.ts";
import { dataApiIngestStage } from "../stages/ingest.ts";

/** The AWS composition from the environment (tests pass their own). */
export const defaultDeps = () => {
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

/** EventBridge schedule → a pipeline run with nothing to ingest: ETL picks up whatever changed in RDS
 * (incremental), and training is due on schedule. */
export const makeHandler = (deps: () => ReturnType<typeof defaultDeps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "schedule",
    schema: ScheduledEvent,
    async handle(_event, context) {
      const { core, stages } = deps();
      const run = await pipelineFor(core, stages, context).run({
        trigger: "schedule",
        input: { kind: "none" },
      });
      return runSummary(run);
    },
  });

export const handler = makeHandler();
