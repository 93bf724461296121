import { GlueClient } from "@aws-sdk/client-glue";
import { awsCore } from "../aws.ts";
import { lazy, pipelineFor, runSummary } from "../compose.ts";
import { readEnv, required } from "../env.ts";
import { GlueJobStateChange } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { tracer } from "../observability.ts";
import { glueCrawlStage, glueEtlStage } from "../stages/glue.ts";
import { glueJobRef } from "../stages/refs.ts";

/** The AWS composition from the environment (tests pass their own). */
export const defaultDeps = () => {
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

/** Glue Job State Change → finishes the ETL step (LakeUpdated from the committed snapshots) and starts
 * the crawler; a job run this pipeline did not start is acknowledged and ignored. */
export const makeHandler = (deps: () => ReturnType<typeof defaultDeps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "glue-job-state",
    schema: GlueJobStateChange,
    async handle(event, context) {
      const { core, stages } = deps();
      const d = event.detail;
      const run = await pipelineFor(core, stages, context).complete(glueJobRef(d.jobRunId), {
        ok: d.state === "SUCCEEDED",
        error: `Glue job ${d.jobName} run ${d.jobRunId} ${d.state}${d.message ? `: ${d.message}` : ""}`,
      });
      return run
        ? runSummary(run)
        : { ignored: true, reason: `job run ${d.jobRunId} is not a pipeline step` };
    },
  });

export const handler = makeHandler();
