import { DataAwsSagemakerPrebuiltEcrImage } from "@cdktf/provider-aws/lib/data-aws-sagemaker-prebuilt-ecr-image/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { SagemakerEndpoint } from "@cdktf/provider-aws/lib/sagemaker-endpoint/index.js";
import { SagemakerEndpointConfiguration } from "@cdktf/provider-aws/lib/sagemaker-endpoint-configuration/index.js";
import { SagemakerModel } from "@cdktf/provider-aws/lib/sagemaker-model/index.js";
import type { LakeZone } from "@hotels/schema";
import { Construct } from "constructs";
import { policyDocument } from "../naming.ts";

/** The built-in algorithm image the local trainer's XGBoost 1.7 JSON models are compatible with. */
export const XGBOOST_IMAGE = { repositoryName: "sagemaker-xgboost", imageTag: "1.7-1" } as const;

export interface SageMakerProps {
  readonly namePrefix: string;
  readonly account: string;
  readonly region: string;
  readonly buckets: Record<LakeZone, S3Bucket>;
  readonly lakeKeyArn: string;
  /** Encrypts the endpoint's storage and the model artifacts' copies. */
  readonly mlKeyArn: string;
  /** Key of the registered `model.tar.gz` in the models bucket. Undefined: only the execution role and
   * image lookup exist; the model, endpoint configuration and endpoint are created once it is set
   * (SageMaker validates the artifact on creation). */
  readonly modelArtifactKey?: string;
  /** Serverless endpoint memory (MB) and concurrency. Default 2048 MB, 5. */
  readonly memorySizeMb?: number;
  readonly maxConcurrency?: number;
}

/** SageMaker: the execution role (training, batch transform, hosting), the XGBoost 1.7-1 image, and — once
 * a model artifact exists — the model (network-isolated), a KMS-encrypted serverless endpoint
 * configuration and the endpoint. */
export class SageMaker extends Construct {
  public readonly executionRole: IamRole;
  public readonly imageUri: string;
  public readonly model?: SagemakerModel;
  public readonly endpointConfiguration?: SagemakerEndpointConfiguration;
  public readonly endpoint?: SagemakerEndpoint;

  constructor(scope: Construct, id: string, props: SageMakerProps) {
    super(scope, id);
    const image = new DataAwsSagemakerPrebuiltEcrImage(this, "xgboost-image", { ...XGBOOST_IMAGE });
    this.imageUri = image.registryPath;
    this.executionRole = new IamRole(this, "execution-role", {
      name: `${props.namePrefix}-sagemaker`,
      assumeRolePolicy: policyDocument([
        {
          Effect: "Allow",
          Principal: { Service: "sagemaker.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": props.account } },
        },
      ]),
    });
    const b = props.buckets;
    new IamRolePolicy(this, "execution-policy", {
      role: this.executionRole.id,
      policy: policyDocument([
        {
          Sid: "ListInputsAndOutputs",
          Effect: "Allow",
          Action: ["s3:ListBucket"],
          Resource: [b.curated.arn, b["query-results"].arn, b.models.arn, b.predictions.arn],
        },
        {
          Sid: "ReadTrainingAndScoringInputs",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: [`${b.curated.arn}/*`, `${b["query-results"].arn}/*`, `${b.models.arn}/*`],
        },
        {
          Sid: "WriteModelsAndPredictions",
          Effect: "Allow",
          Action: ["s3:PutObject"],
          Resource: [`${b.models.arn}/*`, `${b.predictions.arn}/*`],
        },
        {
          Sid: "Keys",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"],
          Resource: [props.lakeKeyArn, props.mlKeyArn],
        },
        {
          Sid: "PullAlgorithmImage",
          Effect: "Allow",
          Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
          Resource: [
            `arn:aws:ecr:${props.region}:${image.registryId}:repository/${XGBOOST_IMAGE.repositoryName}`,
          ],
        },
        { Sid: "EcrAuth", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
        {
          Sid: "Logs",
          Effect: "Allow",
          Action: [
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "logs:DescribeLogStreams",
          ],
          Resource: [
            `arn:aws:logs:${props.region}:${props.account}:log-group:/aws/sagemaker/*`,
            `arn:aws:logs:${props.region}:${props.account}:log-group:/aws/sagemaker/*:log-stream:*`,
          ],
        },
        {
          Sid: "Metrics",
          Effect: "Allow",
          Action: ["cloudwatch:PutMetricData"],
          Resource: "*",
          Condition: { StringLike: { "cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"] } },
        },
      ]),
    });

    if (props.modelArtifactKey) {
      this.model = new SagemakerModel(this, "model", {
        name: `${props.namePrefix}-cancellation`,
        executionRoleArn: this.executionRole.arn,
        enableNetworkIsolation: true,
        primaryContainer: {
          image: this.imageUri,
          modelDataUrl: `s3://${b.models.bucket}/${props.modelArtifactKey}`,
        },
      });
      this.endpointConfiguration = new SagemakerEndpointConfiguration(this, "endpoint-config", {
        namePrefix: `${props.namePrefix}-cancellation-`,
        kmsKeyArn: props.mlKeyArn,
        productionVariants: [
          {
            variantName: "primary",
            modelName: this.model.name,
            serverlessConfig: {
              memorySizeInMb: props.memorySizeMb ?? 2048,
              maxConcurrency: props.maxConcurrency ?? 5,
            },
          },
        ],
        lifecycle: { createBeforeDestroy: true },
      });
      this.endpoint = new SagemakerEndpoint(this, "endpoint", {
        name: `${props.namePrefix}-cancellation`,
        endpointConfigName: this.endpointConfiguration.name,
      });
    }
  }
}
