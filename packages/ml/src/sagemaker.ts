// Types only at the top: the SDK modules are imported where a request is sent, so importing this package
// (every local command does) does not load them.
import type {
  CreateModelCommandInput,
  CreateTrainingJobCommandInput,
  CreateTransformJobCommandInput,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import type { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import type { Dataset, Matrix } from "./dataset.ts";
import { f32Text } from "./model-json.ts";
import { resolveParams, type TrainParams } from "./params.ts";

/** The built-in XGBoost algorithm version whose model format this package writes. */
export const SAGEMAKER_XGBOOST_VERSION = "1.7-1";

/** ECR accounts of the built-in `sagemaker-xgboost` images (framework versions 1.x), per region, from the
 * SageMaker Docker registry paths documentation. */
export const XGBOOST_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  "af-south-1": "510948584623",
  "ap-east-1": "651117190479",
  "ap-northeast-1": "354813040037",
  "ap-northeast-2": "366743142698",
  "ap-northeast-3": "867004704886",
  "ap-south-1": "720646828776",
  "ap-south-2": "628508329040",
  "ap-southeast-1": "121021644041",
  "ap-southeast-2": "783357654285",
  "ap-southeast-3": "951798379941",
  "ap-southeast-4": "106583098589",
  "ca-central-1": "341280168497",
  "ca-west-1": "190319476487",
  "cn-north-1": "450853457545",
  "cn-northwest-1": "451049120500",
  "eu-central-1": "492215442770",
  "eu-central-2": "680994064768",
  "eu-north-1": "662702820516",
  "eu-south-1": "978288397137",
  "eu-south-2": "104374241257",
  "eu-west-1": "141502667606",
  "eu-west-2": "764974769150",
  "eu-west-3": "659782779980",
  "il-central-1": "898809789911",
  "me-central-1": "272398656194",
  "me-south-1": "801668240914",
  "sa-east-1": "737474898029",
  "us-east-1": "683313688378",
  "us-east-2": "257758044811",
  "us-gov-east-1": "237065988967",
  "us-gov-west-1": "414596584902",
  "us-west-1": "746614075791",
  "us-west-2": "246618743249",
};

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/sagemaker-xgboost:1.7-1`. */
export function xgboostImageUri(region: string, version = SAGEMAKER_XGBOOST_VERSION): string {
  const account = XGBOOST_REGISTRY_ACCOUNTS[region];
  if (!account) throw new Error(`no SageMaker XGBoost image registry known for region ${region}`);
  const domain = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `${account}.dkr.ecr.${region}.${domain}/sagemaker-xgboost:${version}`;
}

/** The local trainer's parameters as SageMaker XGBoost hyperparameters (all strings; `tree_method=hist` so
 * the same algorithm runs on both sides). */
export function xgboostHyperParameters(
  partial: Partial<Record<string, unknown>> | TrainParams,
): Record<string, string> {
  const p = resolveParams(partial as Record<string, unknown>);
  const hp: Record<string, string> = {
    objective: p.objective,
    num_round: String(p.num_round),
    max_depth: String(p.max_depth),
    eta: String(p.eta),
    min_child_weight: String(p.min_child_weight),
    lambda: String(p.lambda),
    alpha: String(p.alpha),
    gamma: String(p.gamma),
    subsample: String(p.subsample),
    colsample_bytree: String(p.colsample_bytree),
    max_bin: String(p.max_bin),
    base_score: String(p.base_score),
    eval_metric: p.eval_metric,
    seed: String(p.seed),
    tree_method: "hist",
  };
  if (p.early_stopping_rounds > 0) hp.early_stopping_rounds = String(p.early_stopping_rounds);
  return hp;
}

export interface TrainingJobOptions {
  readonly jobName: string;
  readonly region: string;
  readonly roleArn: string;
  /** S3 prefix of the `train` channel: CSV, label first, no header (Athena UNLOAD's layout). */
  readonly trainS3Uri: string;
  /** S3 prefix of the `validation` channel (same layout); enables early stopping in the container. */
  readonly validationS3Uri?: string;
  /** Where SageMaker writes `<job>/output/model.tar.gz`. */
  readonly outputS3Uri: string;
  readonly params?: Partial<Record<string, unknown>>;
  /** Athena UNLOAD writes gzip text by default. Default `Gzip`. */
  readonly compression?: "Gzip" | "None";
  /** Default `ml.m5.xlarge`. */
  readonly instanceType?: string;
  /** Default 1. */
  readonly instanceCount?: number;
  /** Default 10. */
  readonly volumeSizeGb?: number;
  /** Default 3600. */
  readonly maxRuntimeSeconds?: number;
  readonly kmsKeyId?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

const channel = (name: string, uri: string, compression: "Gzip" | "None") => ({
  ChannelName: name,
  DataSource: {
    S3DataSource: {
      S3DataType: "S3Prefix" as const,
      S3Uri: uri,
      S3DataDistributionType: "FullyReplicated" as const,
    },
  },
  ContentType: "text/csv",
  CompressionType: compression,
  RecordWrapperType: "None" as const,
});

/** A `CreateTrainingJob` request for the built-in XGBoost 1.7-1 algorithm. */
export function createTrainingJobRequest(o: TrainingJobOptions): CreateTrainingJobCommandInput {
  const compression = o.compression ?? "Gzip";
  return {
    TrainingJobName: o.jobName,
    AlgorithmSpecification: { TrainingImage: xgboostImageUri(o.region), TrainingInputMode: "File" },
    RoleArn: o.roleArn,
    HyperParameters: xgboostHyperParameters(o.params ?? {}),
    InputDataConfig: [
      channel("train", o.trainS3Uri, compression),
      ...(o.validationS3Uri ? [channel("validation", o.validationS3Uri, compression)] : []),
    ],
    OutputDataConfig: { S3OutputPath: o.outputS3Uri, ...(o.kmsKeyId ? { KmsKeyId: o.kmsKeyId } : {}) },
    ResourceConfig: {
      InstanceType: (o.instanceType ?? "ml.m5.xlarge") as never,
      InstanceCount: o.instanceCount ?? 1,
      VolumeSizeInGB: o.volumeSizeGb ?? 10,
      ...(o.kmsKeyId ? { VolumeKmsKeyId: o.kmsKeyId } : {}),
    },
    StoppingCondition: { MaxRuntimeInSeconds: o.maxRuntimeSeconds ?? 3600 },
    ...(o.tags ? { Tags: Object.entries(o.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
  };
}

/** A `CreateModel` request serving a model.tar.gz (ours or SageMaker's) with the XGBoost 1.7-1 image. */
export function createModelRequest(o: {
  readonly modelName: string;
  readonly region: string;
  readonly roleArn: string;
  readonly modelDataUrl: string;
}): CreateModelCommandInput {
  return {
    ModelName: o.modelName,
    ExecutionRoleArn: o.roleArn,
    PrimaryContainer: { Image: xgboostImageUri(o.region), ModelDataUrl: o.modelDataUrl },
  };
}

/** A `CreateTransformJob` request: batch-scores CSV rows (features only, in feature-spec order, no header). */
export function createTransformJobRequest(o: {
  readonly jobName: string;
  readonly modelName: string;
  readonly inputS3Uri: string;
  readonly outputS3Uri: string;
  readonly compression?: "Gzip" | "None";
  readonly instanceType?: string;
  readonly instanceCount?: number;
}): CreateTransformJobCommandInput {
  return {
    TransformJobName: o.jobName,
    ModelName: o.modelName,
    BatchStrategy: "MultiRecord",
    MaxPayloadInMB: 6,
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: o.inputS3Uri } },
      ContentType: "text/csv",
      CompressionType: o.compression ?? "Gzip",
      SplitType: "Line",
    },
    TransformOutput: { S3OutputPath: o.outputS3Uri, Accept: "text/csv", AssembleWith: "Line" },
    TransformResources: {
      InstanceType: (o.instanceType ?? "ml.m5.xlarge") as never,
      InstanceCount: o.instanceCount ?? 1,
    },
  };
}

/** One CSV field for XGBoost: shortest float32 text; missing is an empty field (the container's rule). */
const csvField = (v: number) => (Number.isNaN(v) ? "" : Number.isInteger(v) ? String(v) : f32Text(v));

/** Rows of a matrix as CSV lines (feature-spec order, no header); with labels, the label comes first —
 * the layout of the built-in algorithm's training channels. */
export function toXgboostCsv(m: Matrix | Dataset, from = 0, to = m.rows): string {
  const labels = "labels" in m ? m.labels : undefined;
  const lines: string[] = [];
  const row: string[] = [];
  for (let r = from; r < to; r++) {
    row.length = 0;
    if (labels) row.push(String(labels[r]));
    for (let c = 0; c < m.cols; c++) row.push(csvField(m.values[c * m.rows + r]!));
    lines.push(row.join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** Parses an XGBoost endpoint response: CSV / newline-separated numbers, or JSON (`[…]`,
 * `{"predictions":[{"score":…}]}`). Throws naming the offending token. */
export function parseScores(body: string, expected: number): Float32Array {
  const t = body.trim();
  let values: number[];
  if (t.startsWith("{") || t.startsWith("[")) {
    const doc = JSON.parse(t) as unknown;
    const list = Array.isArray(doc) ? doc : ((doc as { predictions?: unknown[] }).predictions ?? []);
    values = list.map((x) => (typeof x === "number" ? x : Number((x as { score?: unknown }).score)));
  } else {
    values = t
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map(Number);
  }
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`endpoint response value ${bad} is not a number: ${t.slice(0, 200)}`);
  if (values.length !== expected)
    throw new Error(`endpoint returned ${values.length} scores for ${expected} rows`);
  return Float32Array.from(values);
}

export interface InvokeOptions {
  /** Rows per request (SageMaker's payload limit is 6 MB). Default 500. */
  readonly batchRows?: number;
  /** Attempts per request on throttling / model-not-ready / 5xx. Default 5. */
  readonly maxAttempts?: number;
  /** First backoff in ms, doubled each retry, with jitter. Default 200. */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const RETRYABLE = new Set([
  "ThrottlingException",
  "ModelNotReadyException",
  "ServiceUnavailable",
  "InternalFailure",
  "InternalDependencyException",
]);

function retryable(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = err.$metadata?.httpStatusCode ?? 0;
  return RETRYABLE.has(err.name ?? "") || status === 429 || status >= 500 || err.$retryable !== undefined;
}

/** Scores rows on a SageMaker endpoint running XGBoost: `text/csv` rows in feature-spec order, batched,
 * retried with exponential backoff on throttling; returns one score per row. */
export async function invokeEndpoint(
  client: SageMakerRuntimeClient,
  endpointName: string,
  m: Matrix,
  options: InvokeOptions = {},
): Promise<Float32Array> {
  const batch = options.batchRows ?? 500;
  const attempts = options.maxAttempts ?? 5;
  const base = options.baseDelayMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const out = new Float32Array(m.rows);
  const plain: Matrix = { rows: m.rows, cols: m.cols, values: m.values };
  const { InvokeEndpointCommand } = await import("@aws-sdk/client-sagemaker-runtime");
  for (let from = 0; from < m.rows; from += batch) {
    const to = Math.min(m.rows, from + batch);
    const body = toXgboostCsv(plain, from, to);
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await client.send(
          new InvokeEndpointCommand({
            EndpointName: endpointName,
            ContentType: "text/csv",
            Accept: "text/csv",
            Body: new TextEncoder().encode(body),
          }),
        );
        const text = res.Body ? new TextDecoder().decode(res.Body) : "";
        out.set(parseScores(text, to - from), from);
        break;
      } catch (e) {
        if (attempt >= attempts || !retryable(e)) throw e;
        await sleep(base * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
      }
    }
  }
  return out;
}

/** Starts a training job and polls it to the end; returns the S3 URI of its model.tar.gz. */
export async function runTrainingJob(
  client: SageMakerClient,
  request: CreateTrainingJobCommandInput,
  options: { readonly pollMs?: number; readonly sleep?: (ms: number) => Promise<void> } = {},
): Promise<string> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const { CreateTrainingJobCommand, DescribeTrainingJobCommand } = await import("@aws-sdk/client-sagemaker");
  await client.send(new CreateTrainingJobCommand(request));
  for (;;) {
    const d = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: request.TrainingJobName }));
    if (d.TrainingJobStatus === "Completed") {
      const uri = d.ModelArtifacts?.S3ModelArtifacts;
      if (!uri) throw new Error(`training job ${request.TrainingJobName} completed without model artifacts`);
      return uri;
    }
    if (d.TrainingJobStatus === "Failed" || d.TrainingJobStatus === "Stopped")
      throw new Error(
        `training job ${request.TrainingJobName} ${d.TrainingJobStatus.toLowerCase()}: ${d.FailureReason ?? "no reason given"}`,
      );
    await sleep(options.pollMs ?? 30_000);
  }
}
