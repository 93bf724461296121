import { createHash } from "node:crypto";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group/index.js";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster/index.js";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance/index.js";
import { postgresDdl, schemaHash, sourceTables, type TableDef } from "@hotels/schema";
import { DataResource } from "cdktf";
import { Construct } from "constructs";

/** Aurora PostgreSQL version: Serverless v2 with the Data API needs 13.12+, 14.9+, 15.4+ or 16.1+. */
export const AURORA_POSTGRES_VERSION = "16.6";

export interface SourceDatabaseProps {
  readonly namePrefix: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** KMS key ARN for storage, the master secret and Performance Insights. */
  readonly kmsKeyArn: string;
  /** Serverless v2 capacity range in ACUs. Default 0.5–4 (0 lets it pause when idle). */
  readonly minAcu?: number;
  readonly maxAcu?: number;
  /** Automated backup retention in days. Default 7. */
  readonly backupRetentionDays?: number;
  /** Refuse deletion and take a final snapshot. Default true. */
  readonly deletionProtection?: boolean;
  /** Retention of the exported PostgreSQL log group. Default 30. */
  readonly logRetentionDays?: number;
  readonly logsKeyArn: string;
  /** Database name. Default `hotels`. */
  readonly databaseName?: string;
  /** Tables whose fingerprint triggers a migration run. Default every source table of `@hotels/schema`
   * (what `@hotels/source`'s `migrate` creates). */
  readonly tables?: readonly TableDef[];
  /** The command the migration provisioner runs, relative to the stack's directory. Default
   * `DEFAULT_MIGRATION_RUNNER`. */
  readonly migrationRunner?: { readonly command: string; readonly workingDir: string };
}

/** `infra/src/migrate-database.ts` under tsx, from `cdktf.out/stacks/<stack>` (where Terraform runs). */
export const DEFAULT_MIGRATION_RUNNER = {
  command: "npx tsx src/migrate-database.ts",
  workingDir: "../../..",
} as const;

/** The source database: Aurora PostgreSQL Serverless v2, private, encrypted, IAM auth, Data API on,
 * master credentials managed by RDS in Secrets Manager, and the schema's tables created through the
 * Data API.
 *
 * Migrations run as a `terraform_data` resource whose `local-exec` provisioner runs `@hotels/source`'s
 * `migrate` (`src/migrate-database.ts`) through the Data API from the machine running `cdktf deploy`: the
 * Data API needs only IAM (no network path into the private VPC, no extra Lambda holding DDL rights); the
 * ledger, create and additive alter steps are the same as every other adapter's; and the resource is
 * replaced — so the migration re-run — whenever a source table's schema hash or DDL changes. */
export class SourceDatabase extends Construct {
  public readonly cluster: RdsCluster;
  public readonly writer: RdsClusterInstance;
  public readonly databaseName: string;
  /** ARN of the RDS-managed Secrets Manager secret holding the master credentials. */
  public readonly secretArn: string;
  /** Applies the schema's migrations through the Data API on deploy (see the class comment). */
  public readonly migration: DataResource;

  constructor(scope: Construct, id: string, props: SourceDatabaseProps) {
    super(scope, id);
    this.databaseName = props.databaseName ?? "hotels";
    const deletionProtection = props.deletionProtection ?? true;
    const identifier = `${props.namePrefix}-source`;
    // Created before the cluster so RDS writes into a group with retention and KMS, not a default one.
    const logGroup = new CloudwatchLogGroup(this, "postgresql-logs", {
      name: `/aws/rds/cluster/${identifier}/postgresql`,
      retentionInDays: props.logRetentionDays ?? 30,
      kmsKeyId: props.logsKeyArn,
    });
    const subnets = new DbSubnetGroup(this, "subnets", {
      name: identifier,
      description: "Private subnets of the source database",
      subnetIds: props.subnetIds,
    });
    this.cluster = new RdsCluster(this, "cluster", {
      clusterIdentifier: identifier,
      engine: "aurora-postgresql",
      engineMode: "provisioned",
      engineVersion: AURORA_POSTGRES_VERSION,
      databaseName: this.databaseName,
      masterUsername: "hotels_admin",
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.kmsKeyArn,
      enableHttpEndpoint: true,
      iamDatabaseAuthenticationEnabled: true,
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: props.securityGroupIds,
      backupRetentionPeriod: props.backupRetentionDays ?? 7,
      preferredBackupWindow: "02:00-03:00",
      copyTagsToSnapshot: true,
      deletionProtection,
      skipFinalSnapshot: !deletionProtection,
      finalSnapshotIdentifier: deletionProtection ? `${identifier}-final` : undefined,
      enabledCloudwatchLogsExports: ["postgresql"],
      serverlessv2ScalingConfiguration: { minCapacity: props.minAcu ?? 0.5, maxCapacity: props.maxAcu ?? 4 },
      dependsOn: [logGroup],
    });
    this.writer = new RdsClusterInstance(this, "writer", {
      identifier: `${identifier}-writer`,
      clusterIdentifier: this.cluster.id,
      instanceClass: "db.serverless",
      engine: "aurora-postgresql",
      engineVersion: AURORA_POSTGRES_VERSION,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.kmsKeyArn,
      copyTagsToSnapshot: true,
    });
    this.secretArn = this.cluster.masterUserSecret.get(0).secretArn;

    // Re-run whenever a source table's shape or DDL changes; migrate() itself is idempotent.
    const tables = props.tables ?? sourceTables;
    const fingerprint = createHash("sha256")
      .update(tables.map((t) => `${t.name}:${schemaHash(t)}:${postgresDdl(t).join(";")}`).join("\n"))
      .digest("hex")
      .slice(0, 16);
    const runner = props.migrationRunner ?? DEFAULT_MIGRATION_RUNNER;
    this.migration = new DataResource(this, "migrate", {
      triggersReplace: { schema: fingerprint, tables: tables.map((t) => t.name).join(",") },
      dependsOn: [this.writer],
      provisioners: [
        {
          type: "local-exec",
          command: runner.command,
          workingDir: runner.workingDir,
          environment: {
            CLUSTER_ARN: this.cluster.arn,
            SECRET_ARN: this.secretArn,
            DATABASE: this.databaseName,
          },
        },
      ],
    });
  }
}
