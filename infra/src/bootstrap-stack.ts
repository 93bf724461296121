import path from "node:path";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias/index.js";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key/index.js";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy/index.js";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js";
import { S3BucketServerSideEncryptionConfigurationA as S3BucketEncryption } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js";
import { S3BucketVersioningA as S3BucketVersioning } from "@cdktf/provider-aws/lib/s3-bucket-versioning/index.js";
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "./config/environments.ts";
import { policyDocument } from "./naming.ts";

const GITHUB_OIDC = "token.actions.githubusercontent.com";

export interface BootstrapStackProps {
  readonly config: EnvironmentConfig;
  /** Keep this stack's own state in a local file (the first apply, before the bucket exists). Default
   * false: its state lives in the bucket it creates, under `bootstrap/<env>.tfstate`. */
  readonly localState?: boolean;
}

/** Once per environment (account): the Terraform state bucket every other stack's backend uses, and the
 * GitHub Actions OIDC provider with the two roles the workflows assume — `<prefix>-github-plan`
 * (read-only, pull requests) and `<prefix>-github-deploy` (main, behind environment approval). */
export class BootstrapStack extends TerraformStack {
  public readonly stateBucket: S3Bucket;
  public readonly planRole: IamRole;
  public readonly deployRole: IamRole;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const c = props.config;
    new AwsProvider(this, "aws", {
      region: c.region,
      allowedAccountIds: [c.account],
      defaultTags: [{ tags: { project: "hotels-pipeline", environment: c.name, "managed-by": "cdktf" } }],
    });
    if (props.localState)
      new LocalBackend(this, { path: path.resolve(import.meta.dirname, `../bootstrap-${c.name}.tfstate`) });
    else {
      const backend = new S3Backend(this, {
        bucket: c.state.bucket,
        key: `bootstrap/${c.name}.tfstate`,
        region: c.region,
        encrypt: true,
      });
      backend.addOverride("use_lockfile", true);
    }

    const key = new KmsKey(this, "state-key", {
      description: "Terraform state",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument([
        {
          Sid: "AccountAdministers",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${c.account}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ]),
    });
    new KmsAlias(this, "state-key-alias", { name: `alias/${c.prefix}-tfstate`, targetKeyId: key.keyId });
    this.stateBucket = new S3Bucket(this, "state", { bucket: c.state.bucket });
    const bucket = this.stateBucket.id;
    new S3BucketOwnershipControls(this, "state-ownership", {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketPublicAccessBlock(this, "state-public-access", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    // Versioning is what makes a corrupted or deleted state recoverable.
    new S3BucketVersioning(this, "state-versioning", {
      bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketEncryption(this, "state-encryption", {
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
          bucketKeyEnabled: true,
        },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "state-lifecycle", {
      bucket,
      rule: [
        {
          id: "old-state-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: 365 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    new S3BucketPolicy(this, "state-policy", {
      bucket,
      policy: policyDocument([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [this.stateBucket.arn, `${this.stateBucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });

    const oidc = new IamOpenidConnectProvider(this, "github-oidc", {
      url: `https://${GITHUB_OIDC}`,
      clientIdList: ["sts.amazonaws.com"],
    });
    const trust = (subject: string) =>
      policyDocument([
        {
          Effect: "Allow",
          Principal: { Federated: oidc.arn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { [`${GITHUB_OIDC}:aud`]: "sts.amazonaws.com", [`${GITHUB_OIDC}:sub`]: subject },
          },
        },
      ]);
    const repo = c.github.repository;
    // Pull requests run in the `<env>-plan` GitHub environment: read-only, no approval needed.
    this.planRole = new IamRole(this, "plan-role", {
      name: `${c.prefix}-github-plan`,
      description: "terraform plan from pull requests (read-only)",
      assumeRolePolicy: trust(`repo:${repo}:environment:${c.name}-plan`),
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, "plan-read-only", {
      role: this.planRole.name,
      policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
    });
    new IamRolePolicy(this, "plan-state", {
      role: this.planRole.id,
      policy: policyDocument([
        { Sid: "StateList", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [this.stateBucket.arn] },
        {
          Sid: "StateRead",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: [`${this.stateBucket.arn}/*`],
        },
        { Sid: "StateKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [key.arn] },
      ]),
    });
    // Deploys run in the `<env>` GitHub environment, which requires a reviewer's approval for staging/prod.
    this.deployRole = new IamRole(this, "deploy-role", {
      name: `${c.prefix}-github-deploy`,
      description: "cdktf deploy from main, behind the GitHub environment's approval",
      assumeRolePolicy: trust(`repo:${repo}:environment:${c.name}`),
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, "deploy-admin", {
      role: this.deployRole.name,
      policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
    });

    new TerraformOutput(this, "state_bucket", { value: this.stateBucket.bucket });
    new TerraformOutput(this, "plan_role_arn", { value: this.planRole.arn });
    new TerraformOutput(this, "deploy_role_arn", { value: this.deployRole.arn });
  }
}
