import { createHash } from "node:crypto";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group/index.js";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster/index.js";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance/index.js";
import { postgresDdl, sourceTables, type TableDef } from "@hotels/schema";
import { DataResource, type ITerraformDependable } from "cdktf";
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
  /** Tables whose DDL is applied through the Data API. Default every source table of `@hotels/schema`. */
  readonly tables?: readonly TableDef[];
}

/** The source database: Aurora PostgreSQL Serverless v2, private, encrypted, IAM auth, Data API on,
 * master credentials managed by RDS in Secrets Manager, and the schema's tables created through the
 * Data API.
 *
 * Migrations run as `terraform_data` resources with a `local-exec` provisioner calling
 * `aws rds-data execute-statement` from the machine running `cdktf deploy`: the Data API needs only IAM
 * (no network path into the private VPC, no extra Lambda holding database rights), the DDL is idempotent
 * (`IF NOT EXISTS`), and each table's resource is replaced — so re-applied — when its DDL changes. */
export class SourceDatabase extends Construct {
  public readonly cluster: RdsCluster;
  public readonly writer: RdsClusterInstance;
  public readonly databaseName: string;
  /** ARN of the RDS-managed Secrets Manager secret holding the master credentials. */
  public readonly secretArn: string;
  /** One `terraform_data` per table, in creation (foreign key) order. */
  public readonly migrations: DataResource[];

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

    this.migrations = [];
    let previous: ITerraformDependable = this.writer;
    for (const table of props.tables ?? sourceTables) {
      const statements = postgresDdl(table);
      const migration: DataResource = new DataResource(this, `migrate-${table.name}`, {
        triggersReplace: {
          ddl: createHash("sha256").update(statements.join(";\n")).digest("hex").slice(0, 16),
        },
        dependsOn: [previous],
        provisioners: statements.map((sql) => ({
          type: "local-exec" as const,
          command:
            'aws rds-data execute-statement --resource-arn "$CLUSTER_ARN" --secret-arn "$SECRET_ARN" ' +
            '--database "$DATABASE" --sql "$SQL" --output text --query numberOfRecordsUpdated',
          environment: {
            CLUSTER_ARN: this.cluster.arn,
            SECRET_ARN: this.secretArn,
            DATABASE: this.databaseName,
            SQL: sql,
          },
        })),
      });
      this.migrations.push(migration);
      previous = migration;
    }
  }
}
