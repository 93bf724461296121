import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { AthenaQueryEngine } from "@hotels/query";
import { awsCore } from "../aws.ts";
import { readEnv, required, workgroupOf } from "../env.ts";
import { crawlFinishStage } from "../stages/finish-only.ts";
import { athenaQueriesStage } from "../stages/queries.ts";
import { sagemakerTrainStage } from "../stages/sagemaker.ts";
import { tracer } from "../tracing.ts";

/** The function's AWS composition from the environment: loaded on the first event it accepts. */
export const compose = () => {
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
        prefix: env.HOTELS_PREFIX,
        env: env.HOTELS_ENV,
        roleArn: required(env, "SAGEMAKER_ROLE_ARN"),
        region: env.AWS_REGION,
        ...(env.TRAINING_IMAGE ? { image: env.TRAINING_IMAGE } : {}),
        trainingInstanceType: env.TRAINING_INSTANCE_TYPE,
        transformInstanceType: env.TRANSFORM_INSTANCE_TYPE,
      }),
    },
  };
};

export type Deps = ReturnType<typeof compose>;
