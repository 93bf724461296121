import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { AthenaQueryEngine } from "@hotels/query";
import { awsCore } from "../aws.ts";
import { lazy, pipelineFor, runSummary } from "../compose.ts";
import { readEnv, required, workgroupOf } from "../env.ts";
import { GlueCrawlerStateChange } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { tracer } from "../observability.ts";
import { crawlFinishStage } from "../stages/finish-only.ts";
import { athenaQueriesStage } from "../stages/queries.ts";
import { crawlerRef } from "../stages/refs.ts";
import { sagemakerTrainStage } from "../stages/sagemaker.ts";

/** The AWS composition from the environment (tests pass their own). */
export const defaultDeps = () => {
  const env = readEnv();
  const core = awsCore(env);
  const sagemaker = tracer.captureAWSv3Client(new SageMakerClient({ region: env.AWS_REGION }));
  const athena = new AthenaQueryEngine({
    workGroup: workgroupOf(env),
    region: env.AWS_REGION,
  });
  return {
    core,
    stages: {
      crawl: crawlFinishStage,
      queries: athenaQueriesStage,
      train: sagemakerTrainStage({
        sagemaker,
        athena,
        store: core.store,
        layout: core.layout,
        env: env.HOTELS_ENV,
        roleArn: required(env, "SAGEMAKER_ROLE_ARN"),
        image: required(env, "TRAINING_IMAGE"),
        trainingInstanceType: env.TRAINING_INSTANCE_TYPE,
        transformInstanceType: env.TRANSFORM_INSTANCE_TYPE,
      }),
    },
  };
};

/** Glue Crawler State Change → finishes the crawl step (CatalogUpdated), then trains when there is enough
 * new data (Athena UNLOAD of the features + a SageMaker training job). `Started` is acknowledged. */
export const makeHandler = (deps: () => ReturnType<typeof defaultDeps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "glue-crawler-state",
    schema: GlueCrawlerStateChange,
    async handle(event, context) {
      const d = event.detail;
      if (d.state === "Started") return { ignored: true, reason: "crawler started" };
      const { core, stages } = deps();
      const run = await pipelineFor(core, stages, context).complete(crawlerRef(d.crawlerName), {
        ok: d.state === "Succeeded",
        error: `crawler ${d.crawlerName} ${d.state}: ${d.errorMessage ?? d.message ?? ""}`,
        details: { ...d },
      });
      return run ? runSummary(run) : { ignored: true, reason: `no pipeline step waits on ${d.crawlerName}` };
    },
  });

export const handler = makeHandler();
