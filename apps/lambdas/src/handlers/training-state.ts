import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { AthenaQueryEngine } from "@hotels/query";
import { awsCore } from "../aws.ts";
import { lazy, pipelineFor, runSummary } from "../compose.ts";
import { readEnv, required, workgroupOf } from "../env.ts";
import { TrainingJobStateChange } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { tracer } from "../observability.ts";
import { trainingRef } from "../stages/refs.ts";
import {
  type SageMakerStageOptions,
  sagemakerPredictStage,
  sagemakerTrainStage,
} from "../stages/sagemaker.ts";

/** The AWS composition from the environment (tests pass their own). */
export const defaultDeps = () => {
  const env = readEnv();
  const core = awsCore(env);
  const options: SageMakerStageOptions = {
    sagemaker: tracer.captureAWSv3Client(new SageMakerClient({ region: env.AWS_REGION })),
    athena: new AthenaQueryEngine({
      workGroup: workgroupOf(env),
      region: env.AWS_REGION,
    }),
    store: core.store,
    layout: core.layout,
    env: env.HOTELS_ENV,
    roleArn: required(env, "SAGEMAKER_ROLE_ARN"),
    image: required(env, "TRAINING_IMAGE"),
    trainingInstanceType: env.TRAINING_INSTANCE_TYPE,
    transformInstanceType: env.TRANSFORM_INSTANCE_TYPE,
  };
  return { core, stages: { train: sagemakerTrainStage(options), predict: sagemakerPredictStage(options) } };
};

/** SageMaker Training Job State Change → registers the model (ModelRegistered), then starts batch
 * scoring (a transform job). `InProgress`/`Stopping` are acknowledged. */
export const makeHandler = (deps: () => ReturnType<typeof defaultDeps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "training-state",
    schema: TrainingJobStateChange,
    async handle(event, context) {
      const d = event.detail;
      if (d.TrainingJobStatus === "InProgress" || d.TrainingJobStatus === "Stopping")
        return { ignored: true, reason: `training job ${d.TrainingJobStatus}` };
      const { core, stages } = deps();
      const auc = d.FinalMetricDataList?.find((m) => m.MetricName === "validation:auc")?.Value;
      const run = await pipelineFor(core, stages, context).complete(trainingRef(d.TrainingJobName), {
        ok: d.TrainingJobStatus === "Completed",
        error: `training job ${d.TrainingJobName} ${d.TrainingJobStatus}: ${d.FailureReason ?? ""}`,
        details: {
          modelArtifacts: d.ModelArtifacts?.S3ModelArtifacts,
          ...(auc !== undefined ? { validationAuc: auc } : {}),
        },
      });
      return run ? runSummary(run) : { ignored: true, reason: `${d.TrainingJobName} is not a pipeline step` };
    },
  });

export const handler = makeHandler();
