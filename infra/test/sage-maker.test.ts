import { DataAwsSagemakerPrebuiltEcrImage } from "@cdktf/provider-aws/lib/data-aws-sagemaker-prebuilt-ecr-image/index.js";
import { SagemakerEndpointConfiguration } from "@cdktf/provider-aws/lib/sagemaker-endpoint-configuration/index.js";
import { SagemakerModel } from "@cdktf/provider-aws/lib/sagemaker-model/index.js";
import { describe, expect, it } from "vitest";
import { DataLake } from "../src/constructs/data-lake.ts";
import { SageMaker } from "../src/constructs/sage-maker.ts";
import { ENV, KEY, resources, synth } from "./helpers.ts";

const make = (modelArtifactKey?: string) =>
  synth((s) => {
    const lake = new DataLake(s, "lake", { namePrefix: "hotels-test", account: ENV.account, kmsKeyArn: KEY });
    new SageMaker(s, "sm", {
      ...ENV,
      buckets: lake.buckets,
      lakeKeyArn: KEY,
      mlKeyArn: KEY,
      modelArtifactKey,
    });
  });

describe("SageMaker", () => {
  it("has only the role and the XGBoost 1.7-1 image until a model artifact exists", () => {
    const { json, doc } = make();
    expect(json).toHaveDataSourceWithProperties(DataAwsSagemakerPrebuiltEcrImage, {
      repository_name: "sagemaker-xgboost",
      image_tag: "1.7-1",
    });
    expect(resources(doc, "aws_iam_role")).toHaveLength(1);
    expect(doc.resource?.aws_sagemaker_model).toBeUndefined();
    expect(doc.resource?.aws_sagemaker_endpoint).toBeUndefined();
  });

  it("creates a network-isolated model and a KMS serverless endpoint once the artifact key is set", () => {
    const { json, doc } = make("cancellation/3/model.tar.gz");
    expect(json).toHaveResourceWithProperties(SagemakerModel, { enable_network_isolation: true });
    const model = resources(doc, "aws_sagemaker_model")[0]!;
    expect(String((model.primary_container as { model_data_url: string }).model_data_url)).toMatch(
      /lake_models.*\/cancellation\/3\/model\.tar\.gz$/,
    );
    expect(json).toHaveResourceWithProperties(SagemakerEndpointConfiguration, {
      kms_key_arn: KEY,
      production_variants: [
        expect.objectContaining({ serverless_config: { memory_size_in_mb: 2048, max_concurrency: 5 } }),
      ],
    });
    expect(resources(doc, "aws_sagemaker_endpoint")).toHaveLength(1);
  });

  it("scopes the execution role to the pipeline's buckets and keys", () => {
    const { doc } = make();
    const policy = JSON.parse(String(resources(doc, "aws_iam_role_policy")[0]!.policy));
    for (const st of policy.Statement) {
      for (const a of [st.Action].flat()) expect(a).not.toMatch(/\*/);
    }
    const write = policy.Statement.find((s: { Sid: string }) => s.Sid === "WriteModelsAndPredictions");
    expect(write.Resource.join(" ")).toMatch(/lake_models.*lake_predictions/);
  });
});
