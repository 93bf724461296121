import { AthenaNamedQuery } from "@cdktf/provider-aws/lib/athena-named-query/index.js";
import { AthenaWorkgroup as Workgroup } from "@cdktf/provider-aws/lib/athena-workgroup/index.js";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { Construct } from "constructs";

/** A named query read from `packages/query/sql/<name>.sql`. */
export interface NamedQuerySource {
  readonly name: string;
  readonly sql: string;
  /** First `--` comment line of the file, if any. */
  readonly description?: string;
}

export interface AthenaWorkgroupProps {
  readonly namePrefix: string;
  readonly account: string;
  /** The `query-results` zone bucket. */
  readonly resultsBucket: S3Bucket;
  readonly kmsKeyArn: string;
  /** A query scanning more is cancelled. Default 10 GiB. */
  readonly bytesScannedCutoffPerQuery?: number;
  /** Saved as named queries of the workgroup. Default none. */
  readonly namedQueries?: readonly NamedQuerySource[];
  /** Database named queries run against. Default `curated` (queries name `<zone>.<table>` anyway). */
  readonly defaultDatabase?: string;
}

/** The Athena workgroup (engine v3, enforced configuration, KMS-encrypted results, per-query scan cut-off)
 * and the named queries of `packages/query`. */
export class AthenaWorkgroup extends Construct {
  public readonly workgroup: Workgroup;
  public readonly namedQueries: AthenaNamedQuery[];

  constructor(scope: Construct, id: string, props: AthenaWorkgroupProps) {
    super(scope, id);
    this.workgroup = new Workgroup(this, "workgroup", {
      name: `${props.namePrefix}-analytics`,
      description: "Pipeline and analyst queries over the lake",
      state: "ENABLED",
      forceDestroy: true,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucket}/athena/`,
          expectedBucketOwner: props.account,
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: props.kmsKeyArn },
        },
      },
    });
    this.namedQueries = (props.namedQueries ?? []).map(
      (q) =>
        new AthenaNamedQuery(this, `query-${q.name}`, {
          name: q.name,
          description: q.description,
          workgroup: this.workgroup.id,
          database: props.defaultDatabase ?? "curated",
          query: q.sql,
        }),
    );
  }
}
