import {
  CreateModelCommand,
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  CreateTransformJobCommand,
  type CreateTransformJobRequest,
  type SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import type { LakeLayout, ObjectStore } from "@hotels/lake";
import type { Stage } from "@hotels/pipeline";
import type { QueryEngine } from "@hotels/query";
import { cancellationFeatures } from "@hotels/schema";
import { featureSelectSql, unloadSql, vocabularySql } from "./features-sql.ts";
import { predictFinish } from "./finish-only.ts";
import { refName, trainingRef, transformRef } from "./refs.ts";

export interface SageMakerStageOptions {
  readonly sagemaker: SageMakerClient;
  readonly athena: QueryEngine;
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  /** Resource names are `<prefix>-<env>-…` (infra scopes the SageMaker permissions to them). */
  readonly prefix: string;
  readonly env: string;
  readonly roleArn: string;
  /** The built-in XGBoost 1.7-1 image URI of the region. */
  readonly image: string;
  readonly trainingInstanceType: string;
  readonly transformInstanceType: string;
}

/** SageMaker job names: ≤ 63 of [a-zA-Z0-9-], unique per run. */
export function jobName(kind: "train" | "score", prefix: string, env: string, runId: string): string {
  const id = runId.replace(/[^a-zA-Z0-9]/g, "").slice(-24);
  return `${prefix}-${env}-${kind}-${id}`.slice(0, 63);
}

/** The local trainer's defaults, as the built-in XGBoost's hyperparameters. */
export const HYPERPARAMETERS = {
  objective: "binary:logistic",
  eval_metric: "auc",
  tree_method: "hist",
  max_depth: "8",
  eta: "0.1",
  max_bin: "256",
  num_round: "300",
  early_stopping_rounds: "20",
} as const;

async function learnedVocabularies(athena: QueryEngine) {
  const learned: Record<string, string[]> = {};
  for (const f of cancellationFeatures.features)
    if (f.kind === "categorical" && f.categories === "learned")
      learned[f.name] = (await athena.query(vocabularySql(f.name))).rows.map((r) => String(r.v));
  return learned;
}

export function trainingJobRequest(
  o: SageMakerStageOptions,
  name: string,
  prefix: string,
): CreateTrainingJobRequest {
  const channel = (c: "train" | "validation") => ({
    ChannelName: c,
    ContentType: "text/csv",
    CompressionType: "None" as const,
    DataSource: {
      S3DataSource: {
        S3DataType: "S3Prefix" as const,
        S3Uri: o.layout.uri("models", `${prefix}${c}/`),
        S3DataDistributionType: "FullyReplicated" as const,
      },
    },
  });
  return {
    TrainingJobName: name,
    AlgorithmSpecification: { TrainingImage: o.image, TrainingInputMode: "File" },
    RoleArn: o.roleArn,
    HyperParameters: { ...HYPERPARAMETERS },
    InputDataConfig: [channel("train"), channel("validation")],
    OutputDataConfig: { S3OutputPath: o.layout.uri("models", "sagemaker/") },
    ResourceConfig: { InstanceType: o.trainingInstanceType as never, InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    Tags: [
      { Key: "hotels:feature-spec", Value: `${cancellationFeatures.name}@${cancellationFeatures.version}` },
    ],
  };
}

export function transformJobRequest(
  o: SageMakerStageOptions,
  name: string,
  modelName: string,
  inputPrefix: string,
): CreateTransformJobRequest {
  return {
    TransformJobName: name,
    ModelName: modelName,
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: o.layout.uri("models", inputPrefix) } },
      ContentType: "text/csv",
      SplitType: "Line",
      CompressionType: "None",
    },
    TransformOutput: { S3OutputPath: o.layout.uri("predictions", `batch/${name}/`), AssembleWith: "Line" },
    TransformResources: { InstanceType: o.transformInstanceType as never, InstanceCount: 1 },
    // The key rides along: drop it on the way in, join the input back, keep key + probability.
    DataProcessing: { InputFilter: "$[1:]", JoinSource: "Input", OutputFilter: "$[0,-1]" },
  };
}

/** Train on AWS: UNLOAD the feature CSVs with Athena, start a SageMaker training job (built-in XGBoost);
 * the Training Job State Change handler registers the model. */
export function sagemakerTrainStage(o: SageMakerStageOptions): Stage<"train"> {
  return {
    reuseAcrossRuns: true,
    inputKey: (e) => `curated.bookings@${e.data.tables["curated.bookings"]?.version ?? 0}`,
    async run(_e, ctx) {
      const name = jobName("train", o.prefix, o.env, ctx.runId);
      const prefix = `training/${name}/`;
      const learned = await learnedVocabularies(o.athena);
      for (const split of ["train", "validation"] as const)
        await o.athena.query(
          unloadSql(featureSelectSql(split, learned), o.layout.uri("models", `${prefix}${split}/`)),
        );
      await o.store.put(
        o.layout.bucket("models"),
        `${prefix}features.json`,
        JSON.stringify({ spec: cancellationFeatures, learned }),
      );
      await o.sagemaker.send(new CreateTrainingJobCommand(trainingJobRequest(o, name, prefix)));
      return { kind: "pending", ref: trainingRef(name), note: `SageMaker training job ${name}` };
    },
    async finish(result, ctx) {
      const name = refName(ctx.ref);
      const auc = Number(result.details?.validationAuc);
      const metrics: Record<string, number> = Number.isFinite(auc) ? { auc } : {};
      const version = name;
      const model = cancellationFeatures.name;
      const artifacts = String(result.details?.modelArtifacts ?? "");
      await o.store.put(
        o.layout.bucket("models"),
        `${model}/${version}/sagemaker.json`,
        JSON.stringify({ trainingJob: name, artifacts, metrics }, null, 2),
      );
      return {
        kind: "done",
        data: { model, version, promoted: true, metrics },
        counts: {},
        note: artifacts,
      };
    },
  };
}

/** Batch predict on AWS: UNLOAD the scoring CSV, create the SageMaker model from the training job's
 * artifacts, start a transform job; the Transform Job State Change handler finishes the step. */
export function sagemakerPredictStage(o: SageMakerStageOptions): Stage<"predict"> {
  return {
    reuseAcrossRuns: true,
    inputKey: (e) => `${e.data.model}@${e.data.version}`,
    async run(e, ctx) {
      const info = JSON.parse(
        new TextDecoder().decode(
          await o.store.get(o.layout.bucket("models"), `${e.data.model}/${e.data.version}/sagemaker.json`),
        ),
      ) as { artifacts: string };
      const features = JSON.parse(
        new TextDecoder().decode(
          await o.store.get(o.layout.bucket("models"), `training/${e.data.version}/features.json`),
        ),
      ) as { learned: Record<string, string[]> };
      const name = jobName("score", o.prefix, o.env, ctx.runId);
      const inputPrefix = `scoring/${name}/`;
      await o.athena.query(
        unloadSql(featureSelectSql("score", features.learned), o.layout.uri("models", inputPrefix)),
      );
      await o.sagemaker.send(
        new CreateModelCommand({
          ModelName: e.data.version,
          ExecutionRoleArn: o.roleArn,
          PrimaryContainer: { Image: o.image, ModelDataUrl: info.artifacts },
        }),
      );
      await o.sagemaker.send(
        new CreateTransformJobCommand(transformJobRequest(o, name, e.data.version, inputPrefix)),
      );
      return { kind: "pending", ref: transformRef(name), note: `SageMaker transform job ${name}` };
    },
    finish: predictFinish(o.layout),
  };
}
