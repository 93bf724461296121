import { readFileSync } from "node:fs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database/index.js";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table/index.js";
import { GlueConnection } from "@cdktf/provider-aws/lib/glue-connection/index.js";
import { GlueCrawler } from "@cdktf/provider-aws/lib/glue-crawler/index.js";
import { GlueDataCatalogEncryptionSettings } from "@cdktf/provider-aws/lib/glue-data-catalog-encryption-settings/index.js";
import { GlueJob } from "@cdktf/provider-aws/lib/glue-job/index.js";
import { GlueSecurityConfiguration } from "@cdktf/provider-aws/lib/glue-security-configuration/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object/index.js";
import { type LakeZone, lakeTables, type TableDef, terraformGlueTable } from "@hotels/schema";
import { Annotations, AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { policyDocument } from "../naming.ts";

export interface GlueEtlProps {
  readonly namePrefix: string;
  readonly account: string;
  readonly region: string;
  readonly buckets: Record<LakeZone, S3Bucket>;
  /** Holds the uploaded script and Glue's temporary directory. */
  readonly artifacts: S3Bucket;
  /** Lake key (job output, catalog, bookmarks) and logs key (CloudWatch encryption). */
  readonly lakeKeyArn: string;
  readonly logsKeyArn: string;
  /** Catalogued tables. Default every lake table of `@hotels/schema`; one database per zone holding any. */
  readonly tables?: readonly TableDef[];
  /** The generated PySpark script (`GLUE_SCRIPT_PATH` of `@hotels/etl`). Undefined: no job, with a
   * synth-time warning. */
  readonly scriptPath?: string;
  readonly database: { readonly jdbcUrl: string; readonly secretArn: string; readonly name: string };
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly securityGroupId: string;
  /** Glue worker type and count. Default G.1X × 2. */
  readonly workerType?: string;
  readonly numberOfWorkers?: number;
  /** Job timeout in minutes. Default 60. */
  readonly timeoutMinutes?: number;
  /** Retention of the job's log groups. Default 30. */
  readonly logRetentionDays?: number;
}

/** The `JOB_ARGUMENTS = [...]` list the generated script declares (the arguments it reads). */
export function scriptArguments(scriptPath: string): string[] {
  const m = /^JOB_ARGUMENTS = (\[.*\])$/m.exec(readFileSync(scriptPath, "utf8"));
  return m ? (JSON.parse(m[1]!) as string[]) : [];
}

/** Glue: Data Catalog databases and tables derived from the schema, catalog encryption, a security
 * configuration, the JDBC connection to the source database, the ETL job running the generated script
 * (Glue 5.0, bookmarks) and the crawler that registers new partitions. */
export class GlueEtl extends Construct {
  public readonly databases: Record<string, GlueCatalogDatabase>;
  public readonly tables: GlueCatalogTable[];
  public readonly securityConfiguration: GlueSecurityConfiguration;
  public readonly connection: GlueConnection;
  public readonly job?: GlueJob;
  public readonly crawler: GlueCrawler;
  public readonly jobRole: IamRole;
  public readonly crawlerRole: IamRole;
  /** Arguments the script declares (`JOB_ARGUMENTS`) that the job's default arguments do not set. */
  public readonly missingArguments: readonly string[] = [];

  constructor(scope: Construct, id: string, props: GlueEtlProps) {
    super(scope, id);
    const tables = props.tables ?? lakeTables;
    const catalogArn = `arn:aws:glue:${props.region}:${props.account}:catalog`;

    new GlueDataCatalogEncryptionSettings(this, "catalog-encryption", {
      dataCatalogEncryptionSettings: {
        encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: props.lakeKeyArn },
        connectionPasswordEncryption: {
          returnConnectionPasswordEncrypted: true,
          awsKmsKeyId: props.lakeKeyArn,
        },
      },
    });

    // Glue database name = zone name: every environment is its own account.
    this.databases = {};
    this.tables = [];
    for (const zone of [...new Set(tables.map((t) => t.zone))]) {
      const bucket = props.buckets[zone as LakeZone];
      this.databases[zone] = new GlueCatalogDatabase(this, `db-${zone}`, {
        name: zone,
        description: `Lake zone ${zone}`,
        locationUri: `s3://${bucket.bucket}/`,
      });
    }
    // Table shapes are glueTableInput's, as the lake crawler writes them (so apply and crawl never revert
    // each other): manifest zones at `<table>/_symlink_format_manifest/` (SymlinkTextInputFormat, Parquet
    // SerDe), predictions as Parquet at the data folder (Athena INSERT INTO writes it).
    for (const t of tables) {
      const db = this.databases[t.zone]!;
      const bucket = props.buckets[t.zone as LakeZone];
      this.tables.push(
        new GlueCatalogTable(this, `table-${t.zone}-${t.name}`, {
          ...terraformGlueTable(t, db.name, `s3://${bucket.bucket}/${t.name}/`),
        }),
      );
    }

    this.securityConfiguration = new GlueSecurityConfiguration(this, "security", {
      name: `${props.namePrefix}-glue`,
      encryptionConfiguration: {
        s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: props.lakeKeyArn },
        cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: props.logsKeyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: props.lakeKeyArn },
      },
    });

    this.connection = new GlueConnection(this, "source-jdbc", {
      name: `${props.namePrefix}-source`,
      description: "JDBC connection to the Aurora source database (credentials from Secrets Manager)",
      connectionType: "JDBC",
      connectionProperties: {
        JDBC_CONNECTION_URL: props.database.jdbcUrl,
        SECRET_ID: props.database.secretArn,
        JDBC_ENFORCE_SSL: "true",
      },
      physicalConnectionRequirements: {
        subnetId: props.subnetId,
        availabilityZone: props.availabilityZone,
        securityGroupIdList: [props.securityGroupId],
      },
    });

    const assume = policyDocument([
      {
        Effect: "Allow",
        Principal: { Service: "glue.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": props.account } },
      },
    ]);
    const zoneArns = (zones: LakeZone[]) => zones.map((z) => props.buckets[z].arn);
    const objectArns = (zones: LakeZone[]) => zones.map((z) => `${props.buckets[z].arn}/*`);
    const tableArns = (zones: string[]) =>
      zones.flatMap((z) => [
        `arn:aws:glue:${props.region}:${props.account}:database/${z}`,
        `arn:aws:glue:${props.region}:${props.account}:table/${z}/*`,
      ]);
    const allZones = Object.keys(this.databases);
    const logsArn = `arn:aws:logs:${props.region}:${props.account}:log-group:/aws-glue/*`;
    const common = [
      {
        Sid: "Keys",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        Resource: [props.lakeKeyArn, props.logsKeyArn],
      },
      {
        Sid: "Logs",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
        Resource: [logsArn, `${logsArn}:log-stream:*`],
      },
      {
        Sid: "Metrics",
        Effect: "Allow",
        Action: ["cloudwatch:PutMetricData"],
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": "Glue" } },
      },
    ];

    // Job role: reads the script, writes the lake zones the ETL produces, reads the database secret and
    // creates the network interfaces of the JDBC connection.
    this.jobRole = new IamRole(this, "job-role", {
      name: `${props.namePrefix}-glue-job`,
      assumeRolePolicy: assume,
    });
    const etlZones: LakeZone[] = ["raw", "processed", "curated", "rejected"];
    new IamRolePolicy(this, "job-policy", {
      role: this.jobRole.id,
      policy: policyDocument([
        ...common,
        {
          Sid: "LakeBuckets",
          Effect: "Allow",
          Action: ["s3:ListBucket", "s3:GetBucketLocation"],
          Resource: [...zoneArns(etlZones), props.artifacts.arn],
        },
        {
          Sid: "LakeObjects",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          Resource: [...objectArns(etlZones), `${props.artifacts.arn}/tmp/*`],
        },
        {
          Sid: "Script",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: [`${props.artifacts.arn}/glue/*`],
        },
        {
          Sid: "Catalog",
          Effect: "Allow",
          Action: [
            "glue:GetDatabase",
            "glue:GetTable",
            "glue:GetTables",
            "glue:GetPartition",
            "glue:GetPartitions",
            "glue:BatchCreatePartition",
            "glue:CreatePartition",
            "glue:UpdatePartition",
            "glue:UpdateTable",
          ],
          Resource: [catalogArn, ...tableArns(allZones)],
        },
        {
          Sid: "Connection",
          Effect: "Allow",
          Action: ["glue:GetConnection"],
          Resource: [
            catalogArn,
            `arn:aws:glue:${props.region}:${props.account}:connection/${props.namePrefix}-source`,
          ],
        },
        {
          Sid: "DatabaseSecret",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          Resource: [props.database.secretArn],
        },
        {
          Sid: "ConnectionNetworkInterfaces",
          Effect: "Allow",
          Action: [
            "ec2:DescribeVpcEndpoints",
            "ec2:DescribeRouteTables",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcAttribute",
            "ec2:CreateNetworkInterface",
            "ec2:DeleteNetworkInterface",
            "ec2:CreateTags",
          ],
          Resource: "*",
        },
      ]),
    });

    // Job log groups exist up front so they get retention and KMS (Glue would create them without).
    for (const suffix of ["output", "error"])
      new CloudwatchLogGroup(this, `log-${suffix}`, {
        name: `/aws-glue/jobs/${props.namePrefix}-glue-${suffix}`,
        retentionInDays: props.logRetentionDays ?? 30,
        kmsKeyId: props.logsKeyArn,
      });

    if (props.scriptPath) {
      const asset = new TerraformAsset(this, "script", { path: props.scriptPath, type: AssetType.FILE });
      const script = new S3Object(this, "script-object", {
        bucket: props.artifacts.bucket,
        key: `glue/${asset.fileName}`,
        source: asset.path,
        sourceHash: asset.assetHash,
      });
      this.job = new GlueJob(this, "job", {
        name: `${props.namePrefix}-etl`,
        description: "Incremental ETL: source database → raw → processed (+ rejected) → curated",
        roleArn: this.jobRole.arn,
        glueVersion: "5.0",
        workerType: props.workerType ?? "G.1X",
        numberOfWorkers: props.numberOfWorkers ?? 2,
        timeout: props.timeoutMinutes ?? 60,
        maxRetries: 0,
        executionProperty: { maxConcurrentRuns: 1 },
        securityConfiguration: this.securityConfiguration.name,
        connections: [this.connection.name],
        command: {
          name: "glueetl",
          pythonVersion: "3",
          scriptLocation: `s3://${props.artifacts.bucket}/${script.key}`,
        },
        defaultArguments: {
          "--job-bookmark-option": "job-bookmark-enable",
          "--enable-metrics": "true",
          "--enable-continuous-cloudwatch-log": "true",
          "--continuous-log-logGroup": `/aws-glue/jobs/${props.namePrefix}-glue-output`,
          "--TempDir": `s3://${props.artifacts.bucket}/tmp/`,
          "--connection_name": this.connection.name,
          "--database": props.database.name,
          "--full": "false",
          "--jobs": "all",
          "--run_id": "-",
          "--raw_bucket": props.buckets.raw.bucket,
          "--processed_bucket": props.buckets.processed.bucket,
          "--curated_bucket": props.buckets.curated.bucket,
          "--rejected_bucket": props.buckets.rejected.bucket,
        },
      });
      const missing = scriptArguments(props.scriptPath).filter(
        (a) => !(a in (this.job?.defaultArgumentsInput ?? {})),
      );
      this.missingArguments = missing;
      for (const a of missing)
        Annotations.of(this).addWarning(`GlueEtl: the script reads ${a}, which the job does not set`);
    } else {
      Annotations.of(this).addWarning(
        "GlueEtl: no generated Glue script (packages/etl GLUE_SCRIPT_PATH) — the ETL job is not synthesized",
      );
    }

    // Crawler over the catalogued tables (catalog targets): adds new partitions, logs schema changes
    // instead of applying them — the schema package, not a crawler, owns table shapes. A catalog target
    // crawls the table's Location: for manifest-zone tables the manifest folder, where the Glue job publishes
    // `k=v/…/manifest` for each partition of the snapshots it committed, so the partitions it adds are
    // exactly the committed ones. `InheritFromTable` gives each new partition the table's storage descriptor
    // (SymlinkTextInputFormat + Parquet SerDe + the schema's columns), never what a classifier makes of the
    // manifest text files; `updateBehavior: LOG` keeps such a classification out of the table and leaves
    // registered partitions alone (partitions an older catalog put at Hive folders are re-pointed once by
    // `hotels crawl --runtime aws`); `deleteBehavior: LOG`: a partition whose manifest the job deleted stays
    // registered and reads empty, and no table terraform owns is ever dropped for an empty folder.
    // Predictions tables are crawled at their data folder as Parquet. It reads only objects (manifests,
    // Parquet footers): the role below needs no more than before.
    this.crawlerRole = new IamRole(this, "crawler-role", {
      name: `${props.namePrefix}-glue-crawler`,
      assumeRolePolicy: assume,
    });
    const crawledZones = allZones as LakeZone[];
    new IamRolePolicy(this, "crawler-policy", {
      role: this.crawlerRole.id,
      policy: policyDocument([
        ...common,
        { Sid: "LakeBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: zoneArns(crawledZones) },
        { Sid: "LakeObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: objectArns(crawledZones) },
        {
          Sid: "Catalog",
          Effect: "Allow",
          Action: [
            "glue:GetDatabase",
            "glue:GetTable",
            "glue:GetPartition",
            "glue:GetPartitions",
            "glue:BatchCreatePartition",
            "glue:BatchGetPartition",
            "glue:CreatePartition",
            "glue:UpdatePartition",
            "glue:UpdateTable",
          ],
          Resource: [catalogArn, ...tableArns(allZones)],
        },
      ]),
    });
    const byZone = new Map<string, string[]>();
    for (const t of tables) byZone.set(t.zone, [...(byZone.get(t.zone) ?? []), t.name]);
    this.crawler = new GlueCrawler(this, "crawler", {
      name: `${props.namePrefix}-partitions`,
      role: this.crawlerRole.arn,
      databaseName: "curated",
      securityConfiguration: this.securityConfiguration.name,
      catalogTarget: [...byZone].map(([databaseName, names]) => ({ databaseName, tables: names })),
      schemaChangePolicy: { deleteBehavior: "LOG", updateBehavior: "LOG" },
      recrawlPolicy: { recrawlBehavior: "CRAWL_EVERYTHING" },
      configuration: JSON.stringify({
        Version: 1.0,
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } },
      }),
      dependsOn: this.tables,
    });
  }
}
