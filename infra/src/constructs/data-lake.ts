import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js";
import { S3BucketLoggingA as S3BucketLogging } from "@cdktf/provider-aws/lib/s3-bucket-logging/index.js";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy/index.js";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js";
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js";
import { S3BucketVersioningA as S3BucketVersioning } from "@cdktf/provider-aws/lib/s3-bucket-versioning/index.js";
import { type LakeZone, ZONES } from "@hotels/schema";
import { Construct } from "constructs";
import { policyDocument } from "../naming.ts";

/** Key prefix in the raw bucket where new extracts and uploads land; objects created under it fire the
 * pipeline's S3 notification. */
export const INCOMING_PREFIX = "incoming/";

export interface DataLakeProps {
  /** Bucket name prefix: buckets are `<namePrefix>-<zone>`, the access-log bucket `<namePrefix>-access-logs`. */
  readonly namePrefix: string;
  readonly account: string;
  /** KMS key ARN every zone bucket encrypts with (SSE-KMS with an S3 bucket key). */
  readonly kmsKeyArn: string;
  /** Raw objects move to Infrequent Access after this many days. Default 30. */
  readonly rawToInfrequentAccessDays?: number;
  /** …and to Glacier Flexible Retrieval after this many. Default 90. */
  readonly rawToGlacierDays?: number;
  /** Athena query results expire after this many days. Default 7. */
  readonly queryResultsExpireDays?: number;
  /** Non-current object versions expire after this many days. Default 30. */
  readonly noncurrentVersionExpireDays?: number;
  /** Let `terraform destroy` empty non-empty buckets. Default false (never in prod). */
  readonly forceDestroy?: boolean;
}

/** One bucket per lake zone (`raw`, `processed`, `curated`, `models`, `predictions`, `query-results`,
 * `rejected`), each SSE-KMS, versioned, private, TLS-only, logged, with lifecycle rules; plus the
 * access-log bucket. */
export class DataLake extends Construct {
  public readonly buckets: Record<LakeZone, S3Bucket>;
  public readonly accessLogs: S3Bucket;
  /** Deployment artifacts: the Glue script, Glue temporary files (KMS like the zones, not a zone). */
  public readonly artifacts: S3Bucket;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    const forceDestroy = props.forceDestroy ?? false;
    const nonCurrent = props.noncurrentVersionExpireDays ?? 30;

    // S3 server access logs can only be delivered to a bucket encrypted with SSE-S3 (not SSE-KMS).
    this.accessLogs = new S3Bucket(this, "access-logs", {
      bucket: `${props.namePrefix}-access-logs`,
      forceDestroy,
    });
    this.harden("access-logs", this.accessLogs, { kind: "AES256" }, [
      {
        id: "expire-access-logs",
        status: "Enabled",
        filter: [{ prefix: "" }],
        expiration: [{ days: 365 }],
        noncurrentVersionExpiration: [{ noncurrentDays: nonCurrent }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
      },
    ]);
    new S3BucketPolicy(this, "access-logs-policy", {
      bucket: this.accessLogs.id,
      policy: policyDocument([
        tlsOnly(this.accessLogs),
        {
          Sid: "S3ServerAccessLogsDelivery",
          Effect: "Allow",
          Principal: { Service: "logging.s3.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `${this.accessLogs.arn}/*`,
          Condition: { StringEquals: { "aws:SourceAccount": props.account } },
        },
      ]),
    });

    const buckets: Partial<Record<LakeZone | "artifacts", S3Bucket>> = {};
    for (const zone of [...ZONES, "artifacts"] as const) {
      const bucket = new S3Bucket(this, zone, { bucket: `${props.namePrefix}-${zone}`, forceDestroy });
      buckets[zone] = bucket;
      const rules: S3BucketLifecycleConfigurationRule[] = [
        {
          id: "noncurrent-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: nonCurrent }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ];
      if (zone === "raw")
        rules.push({
          id: "raw-tiering",
          status: "Enabled",
          filter: [{ prefix: "" }],
          transition: [
            { days: props.rawToInfrequentAccessDays ?? 30, storageClass: "STANDARD_IA" },
            { days: props.rawToGlacierDays ?? 90, storageClass: "GLACIER" },
          ],
        });
      if (zone === "query-results" || zone === "artifacts")
        rules.push({
          id: zone === "artifacts" ? "expire-glue-tmp" : "expire-query-results",
          status: "Enabled",
          // Glue temporary files live under artifacts' `tmp/`; scripts are re-uploaded on every deploy.
          ...(zone === "artifacts"
            ? { filter: [{ prefix: "tmp/" }], expiration: [{ days: 7 }] }
            : { filter: [{ prefix: "" }], expiration: [{ days: props.queryResultsExpireDays ?? 7 }] }),
        });
      this.harden(zone, bucket, { kind: "aws:kms", keyArn: props.kmsKeyArn }, rules);
      new S3BucketLogging(this, `${zone}-logging`, {
        bucket: bucket.id,
        targetBucket: this.accessLogs.id,
        targetPrefix: `${zone}/`,
      });
      new S3BucketPolicy(this, `${zone}-policy`, {
        bucket: bucket.id,
        policy: policyDocument([tlsOnly(bucket)]),
      });
    }
    const { artifacts, ...zones } = buckets;
    this.artifacts = artifacts!;
    this.buckets = zones as Record<LakeZone, S3Bucket>;
  }

  private harden(
    id: string,
    bucket: S3Bucket,
    sse: { kind: "AES256" } | { kind: "aws:kms"; keyArn: string },
    rules: S3BucketLifecycleConfigurationRule[],
  ): void {
    new S3BucketOwnershipControls(this, `${id}-ownership`, {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketPublicAccessBlock(this, `${id}-public-access`, {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioning(this, `${id}-versioning`, {
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfiguration(this, `${id}-encryption`, {
      bucket: bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault:
            sse.kind === "aws:kms"
              ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: sse.keyArn }
              : { sseAlgorithm: "AES256" },
          bucketKeyEnabled: sse.kind === "aws:kms",
        },
      ],
    });
    new S3BucketLifecycleConfiguration(this, `${id}-lifecycle`, { bucket: bucket.id, rule: rules });
  }
}

/** Denies every request that does not use TLS (AwsSolutions-S10, checkov CKV_AWS_… "S3 TLS only"). */
function tlsOnly(bucket: S3Bucket) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucket.arn, `${bucket.arn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
