import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias/index.js";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key/index.js";
import { Construct } from "constructs";
import { policyDocument } from "../naming.ts";

export interface KeysProps {
  /** Alias prefix: keys are `alias/<namePrefix>-<purpose>`. */
  readonly namePrefix: string;
  readonly account: string;
  readonly region: string;
  /** Days before a scheduled key deletion completes. Default 30 (the maximum: a deleted key loses data). */
  readonly deletionWindowDays?: number;
}

/** Customer-managed KMS keys with yearly automatic rotation, one per data domain so that a grant on one
 * (say, the ML role on `ml`) does not open the others. */
export class Keys extends Construct {
  /** The lake buckets, Glue (catalog, job output, bookmarks) and Athena results. */
  public readonly lake: KmsKey;
  /** Aurora storage, its Secrets Manager secret and Performance Insights. */
  public readonly database: KmsKey;
  /** CloudWatch Logs groups (Lambda, Glue, flow logs) and the alarm topic. */
  public readonly logs: KmsKey;
  /** SageMaker endpoint storage and model artifacts. */
  public readonly ml: KmsKey;

  constructor(scope: Construct, id: string, props: KeysProps) {
    super(scope, id);
    const account = props.account;
    const root = {
      Sid: "AccountAdministers",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: "kms:*",
      Resource: "*",
    };
    const make = (purpose: string, description: string, extra: Record<string, unknown>[] = []) => {
      const key = new KmsKey(this, purpose, {
        description,
        enableKeyRotation: true,
        deletionWindowInDays: props.deletionWindowDays ?? 30,
        policy: policyDocument([root, ...extra]),
      });
      new KmsAlias(this, `${purpose}-alias`, {
        name: `alias/${props.namePrefix}-${purpose}`,
        targetKeyId: key.keyId,
      });
      return key;
    };
    this.lake = make("lake", "Lake buckets, Glue catalog and job output, Athena query results");
    this.database = make("database", "Aurora source database storage and credentials");
    // CloudWatch Logs encrypts with the key only when the key policy lets the regional service use it.
    this.logs = make("logs", "CloudWatch Logs log groups", [
      {
        Sid: "CloudWatchLogsUse",
        Effect: "Allow",
        Principal: { Service: `logs.${props.region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${props.region}:${account}:*` },
        },
      },
      {
        // Alarm notifications: CloudWatch publishes to the KMS-encrypted alarm topic.
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
      },
    ]);
    this.ml = make("ml", "SageMaker model artifacts and endpoint storage");
  }
}
