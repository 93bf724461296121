import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createModelRequest,
  createTrainingJobRequest,
  createTransformJobRequest,
  invokeEndpoint,
  matrixFromRows,
  parseScores,
  runTrainingJob,
  toXgboostCsv,
  xgboostHyperParameters,
  xgboostImageUri,
} from "../src/index.ts";

const sm = mockClient(SageMakerClient);
const rt = mockClient(SageMakerRuntimeClient);
beforeEach(() => {
  sm.reset();
  rt.reset();
});

describe("SageMaker built-in XGBoost 1.7-1 requests", () => {
  it("image URIs per region, and a clear error for an unknown region", () => {
    expect(xgboostImageUri("us-east-1")).toBe(
      "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    );
    expect(xgboostImageUri("eu-west-1")).toBe(
      "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    );
    expect(xgboostImageUri("cn-north-1")).toBe(
      "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1",
    );
    expect(() => xgboostImageUri("mars-1")).toThrow(
      /no SageMaker XGBoost image registry known for region mars-1/,
    );
  });

  it("maps the local trainer's parameters to string hyperparameters", () => {
    const hp = xgboostHyperParameters({ max_depth: 8, eta: 0.1, num_round: 300, early_stopping_rounds: 20 });
    expect(hp).toMatchObject({
      objective: "binary:logistic",
      max_depth: "8",
      eta: "0.1",
      num_round: "300",
      max_bin: "256",
      tree_method: "hist",
      eval_metric: "logloss",
      early_stopping_rounds: "20",
    });
    expect(Object.values(hp).every((v) => typeof v === "string")).toBe(true);
    expect(() => xgboostHyperParameters({ max_dept: 3 })).toThrow(/unknown training parameter "max_dept"/);
  });

  it("CreateTrainingJob: image, role, hyperparameters, train/validation text/csv channels, output", async () => {
    // prepare
    const req = createTrainingJobRequest({
      jobName: "cancel-20261124",
      region: "eu-west-1",
      roleArn: "arn:aws:iam::111122223333:role/sagemaker",
      trainS3Uri: "s3://hotels-dev-curated/ml/train/",
      validationS3Uri: "s3://hotels-dev-curated/ml/validation/",
      outputS3Uri: "s3://hotels-dev-models/sagemaker/",
      params: { max_depth: 8, eta: 0.1, num_round: 300 },
    });
    sm.on(CreateTrainingJobCommand).resolves({
      TrainingJobArn: "arn:aws:sagemaker:eu-west-1:111122223333:training-job/cancel-20261124",
    });
    sm.on(DescribeTrainingJobCommand)
      .resolvesOnce({ TrainingJobStatus: "InProgress" } as never)
      .resolves({
        TrainingJobStatus: "Completed",
        ModelArtifacts: {
          S3ModelArtifacts: "s3://hotels-dev-models/sagemaker/cancel-20261124/output/model.tar.gz",
        },
      } as never);
    // act
    const uri = await runTrainingJob(new SageMakerClient({ region: "eu-west-1" }), req, {
      sleep: async () => {},
    });
    // assert
    expect(uri).toBe("s3://hotels-dev-models/sagemaker/cancel-20261124/output/model.tar.gz");
    const input = sm.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input;
    expect(input.AlgorithmSpecification).toEqual({
      TrainingImage: "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1",
      TrainingInputMode: "File",
    });
    expect(input.RoleArn).toBe("arn:aws:iam::111122223333:role/sagemaker");
    expect(input.InputDataConfig?.map((c) => [c.ChannelName, c.ContentType, c.CompressionType])).toEqual([
      ["train", "text/csv", "Gzip"],
      ["validation", "text/csv", "Gzip"],
    ]);
    expect(input.InputDataConfig?.[0]?.DataSource?.S3DataSource).toEqual({
      S3DataType: "S3Prefix",
      S3Uri: "s3://hotels-dev-curated/ml/train/",
      S3DataDistributionType: "FullyReplicated",
    });
    expect(input.OutputDataConfig?.S3OutputPath).toBe("s3://hotels-dev-models/sagemaker/");
    expect(input.ResourceConfig).toMatchObject({
      InstanceType: "ml.m5.xlarge",
      InstanceCount: 1,
      VolumeSizeInGB: 10,
    });
    expect(input.StoppingCondition?.MaxRuntimeInSeconds).toBe(3600);
    expect(input.HyperParameters?.max_depth).toBe("8");
    expect(sm.commandCalls(DescribeTrainingJobCommand)).toHaveLength(2);
  });

  it("a failed training job reports SageMaker's reason", async () => {
    sm.on(CreateTrainingJobCommand).resolves({});
    sm.on(DescribeTrainingJobCommand).resolves({
      TrainingJobStatus: "Failed",
      FailureReason: "ClientError: unable to parse csv",
    } as never);
    const req = createTrainingJobRequest({
      jobName: "j",
      region: "us-east-1",
      roleArn: "r",
      trainS3Uri: "s3://b/t/",
      outputS3Uri: "s3://b/o/",
    });
    await expect(
      runTrainingJob(new SageMakerClient({ region: "us-east-1" }), req, { sleep: async () => {} }),
    ).rejects.toThrow(/training job j failed: ClientError: unable to parse csv/);
  });

  it("CreateModel and CreateTransformJob for batch scoring of text/csv lines", () => {
    const model = createModelRequest({
      modelName: "cancel",
      region: "us-east-1",
      roleArn: "r",
      modelDataUrl: "s3://m/model.tar.gz",
    });
    expect(model.PrimaryContainer).toEqual({
      Image: xgboostImageUri("us-east-1"),
      ModelDataUrl: "s3://m/model.tar.gz",
    });
    const t = createTransformJobRequest({
      jobName: "score",
      modelName: "cancel",
      inputS3Uri: "s3://in/",
      outputS3Uri: "s3://out/",
    });
    expect(t.TransformInput).toEqual({
      DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: "s3://in/" } },
      ContentType: "text/csv",
      CompressionType: "Gzip",
      SplitType: "Line",
    });
    expect(t.TransformOutput).toEqual({
      S3OutputPath: "s3://out/",
      Accept: "text/csv",
      AssembleWith: "Line",
    });
    expect(t.BatchStrategy).toBe("MultiRecord");
  });

  it("training CSV: label first, no header, missing as an empty field", () => {
    const m = matrixFromRows([
      [1, null, 0.1],
      [2.5, 3, null],
    ]);
    expect(toXgboostCsv({ ...m, labels: Float32Array.from([1, 0]) })).toBe("1,1,,0.1\n0,2.5,3,\n");
  });
});

describe("InvokeEndpoint", () => {
  it("sends text/csv rows in feature order, retries throttling, parses the scores", async () => {
    // prepare
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });
    rt.on(InvokeEndpointCommand)
      .rejectsOnce(throttled)
      .resolvesOnce({ Body: new TextEncoder().encode("0.25,0.75") } as never)
      .resolves({ Body: new TextEncoder().encode("0.5\n") } as never);
    const sleeps: number[] = [];
    // act
    const scores = await invokeEndpoint(
      new SageMakerRuntimeClient({ region: "us-east-1" }),
      "cancel-endpoint",
      matrixFromRows([
        [1, 2],
        [3, null],
        [5, 6],
      ]),
      {
        batchRows: 2,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
    );
    // assert
    expect(Array.from(scores)).toEqual([0.25, 0.75, 0.5]);
    const calls = rt.commandCalls(InvokeEndpointCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatchObject({
      EndpointName: "cancel-endpoint",
      ContentType: "text/csv",
      Accept: "text/csv",
    });
    expect(new TextDecoder().decode(calls[1]!.Body as Uint8Array)).toBe("1,2\n3,\n");
    expect(new TextDecoder().decode(calls[2]!.Body as Uint8Array)).toBe("5,6\n");
    expect(sleeps).toHaveLength(1);
  });

  it("does not retry a validation error, and rejects a response with the wrong number of scores", async () => {
    rt.on(InvokeEndpointCommand).rejects(
      Object.assign(new Error("bad input"), { name: "ValidationError", $metadata: { httpStatusCode: 400 } }),
    );
    await expect(
      invokeEndpoint(new SageMakerRuntimeClient({ region: "us-east-1" }), "e", matrixFromRows([[1]]), {
        sleep: async () => {},
      }),
    ).rejects.toThrow(/bad input/);
    expect(rt.commandCalls(InvokeEndpointCommand)).toHaveLength(1);
    expect(() => parseScores("0.1,0.2", 3)).toThrow(/returned 2 scores for 3 rows/);
    expect(Array.from(parseScores('{"predictions":[{"score":0.5},{"score":0.25}]}', 2))).toEqual([0.5, 0.25]);
    expect(() => parseScores("0.1,abc", 2)).toThrow(/value 1 is not a number/);
  });
});
