import {
  CreateModelCommand,
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  CreateTransformJobCommand,
  type CreateTransformJobRequest,
  type SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { type LakeLayout, type ObjectStore, TableLog } from "@hotels/lake";
import {
  createModelRequest,
  createTrainingJobRequest,
  createTransformJobRequest,
  lakeTrainingDefaults,
  xgboostImageUri,
} from "@hotels/ml";
import type { Stage } from "@hotels/pipeline";
import type { QueryEngine } from "@hotels/query";
import { cancellationFeatures } from "@hotels/schema";
import { featureSelectSql, unloadSql, vocabularySql } from "./features-sql.ts";
import { athenaPredictFinish } from "./predictions.ts";
import { refName, trainingRef, transformRef } from "./refs.ts";

export interface SageMakerStageOptions {
  readonly sagemaker: SageMakerClient;
  readonly athena: QueryEngine;
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  /** Resource names are `<prefix>-<env>-…` (infra scopes the SageMaker permissions to them). */
  readonly prefix: string;
  readonly env: string;
  readonly region: string;
  readonly roleArn: string;
  /** The built-in XGBoost 1.7-1 image. Default `xgboostImageUri(region)` of @hotels/ml; infra passes the one
   * it resolved (`TRAINING_IMAGE`), which wins (e.g. a mirror). */
  readonly image?: string;
  readonly trainingInstanceType: string;
  readonly transformInstanceType: string;
  /** The tables' snapshot log (predict commits predictions.booking_cancellations). Default over `store`. */
  readonly tables?: TableLog;
  /** `UpdateCount` of a finished Athena INSERT (GetQueryResults). Default: unknown. */
  readonly updateCount?: (queryId: string) => Promise<number | undefined>;
}

/** SageMaker job names: ≤ 63 of [a-zA-Z0-9-], unique per run. */
export function jobName(kind: "train" | "score", prefix: string, env: string, runId: string): string {
  const id = runId.replace(/[^a-zA-Z0-9]/g, "").slice(-24);
  return `${prefix}-${env}-${kind}-${id}`.slice(0, 63);
}

/** Decision threshold of `predicted_label` recorded with a SageMaker-trained model (the local trainer's
 * default). */
export const SAGEMAKER_THRESHOLD = 0.5;

/** The feature CSVs are UNLOADed uncompressed (`compression = 'NONE'`, see features-sql.ts). */
const COMPRESSION = "None" as const;

const imageOf = (o: SageMakerStageOptions) => o.image ?? xgboostImageUri(o.region);

async function learnedVocabularies(athena: QueryEngine) {
  const learned: Record<string, string[]> = {};
  for (const f of cancellationFeatures.features)
    if (f.kind === "categorical" && f.categories === "learned")
      learned[f.name] = (await athena.query(vocabularySql(f.name))).rows.map((r) => String(r.v));
  return learned;
}

/** The training job: @hotels/ml's request for the built-in XGBoost with the local trainer's defaults
 * (`lakeTrainingDefaults`), over the UNLOADed train / validation CSVs. */
export function trainingJobRequest(
  o: SageMakerStageOptions,
  name: string,
  prefix: string,
): CreateTrainingJobRequest {
  const request = createTrainingJobRequest({
    jobName: name,
    region: o.region,
    roleArn: o.roleArn,
    trainS3Uri: o.layout.uri("models", `${prefix}train/`),
    validationS3Uri: o.layout.uri("models", `${prefix}validation/`),
    outputS3Uri: o.layout.uri("models", "sagemaker/"),
    params: { ...lakeTrainingDefaults, eval_metric: "auc" },
    compression: COMPRESSION,
    instanceType: o.trainingInstanceType,
    tags: { "hotels:feature-spec": `${cancellationFeatures.name}@${cancellationFeatures.version}` },
  });
  return {
    ...request,
    AlgorithmSpecification: { ...request.AlgorithmSpecification!, TrainingImage: imageOf(o) },
  };
}

/** The transform job: @hotels/ml's request, plus the key riding along — the scoring CSV is `key,f1..f29`:
 * drop the key on the way in, join the input back, keep `key,probability`. */
export function transformJobRequest(
  o: SageMakerStageOptions,
  name: string,
  modelName: string,
  inputPrefix: string,
): CreateTransformJobRequest {
  return {
    ...createTransformJobRequest({
      jobName: name,
      modelName,
      inputS3Uri: o.layout.uri("models", inputPrefix),
      outputS3Uri: o.layout.uri("predictions", `batch/${name}/`),
      compression: COMPRESSION,
      instanceType: o.transformInstanceType,
    }),
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
        JSON.stringify({ trainingJob: name, artifacts, metrics, threshold: SAGEMAKER_THRESHOLD }, null, 2),
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
      const model = createModelRequest({
        modelName: e.data.version,
        region: o.region,
        roleArn: o.roleArn,
        modelDataUrl: info.artifacts,
      });
      await o.sagemaker.send(
        new CreateModelCommand({
          ...model,
          PrimaryContainer: { ...model.PrimaryContainer, Image: imageOf(o) },
        }),
      );
      await o.sagemaker.send(
        new CreateTransformJobCommand(transformJobRequest(o, name, e.data.version, inputPrefix)),
      );
      return { kind: "pending", ref: transformRef(name), note: `SageMaker transform job ${name}` };
    },
    finish: athenaPredictFinish({
      athena: o.athena,
      store: o.store,
      layout: o.layout,
      tables: o.tables ?? new TableLog({ store: o.store, layout: o.layout }),
      updateCount: o.updateCount ?? (async () => undefined),
    }),
  };
}
