import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { FUNCTIONS } from "@hotels/lambdas";
import { S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "./config/environments.ts";
import { AthenaWorkgroup } from "./constructs/athena-workgroup.ts";
import { DataLake } from "./constructs/data-lake.ts";
import { GlueEtl } from "./constructs/glue-etl.ts";
import { Keys } from "./constructs/keys.ts";
import { Network } from "./constructs/network.ts";
import { bundleIn, type FunctionSpec, PipelineFunctions } from "./constructs/pipeline-functions.ts";
import { SageMaker } from "./constructs/sage-maker.ts";
import { SourceDatabase } from "./constructs/source-database.ts";
import type { PipelineInputs } from "./inputs.ts";
import { resourceName } from "./naming.ts";

export interface PipelineStackProps {
  readonly config: EnvironmentConfig;
  readonly inputs: PipelineInputs;
  /** Function specs. Default `FUNCTIONS` of `@hotels/lambdas`. */
  readonly functions?: readonly FunctionSpec[];
  /** Zip of a function. Default: its built bundle in `inputs.lambdasDir`, if any. */
  readonly bundleOf?: (fn: FunctionSpec) => string | undefined;
}

/** Every AWS component of the pipeline for one environment, with its own S3 state (S3-native locking). */
export class PipelineStack extends TerraformStack {
  public readonly keys: Keys;
  public readonly network: Network;
  public readonly lake: DataLake;
  public readonly database: SourceDatabase;
  public readonly glue: GlueEtl;
  public readonly athena: AthenaWorkgroup;
  public readonly sageMaker: SageMaker;
  public readonly functions: PipelineFunctions;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id);
    const c = props.config;
    const namePrefix = resourceName(c);
    const base = { namePrefix, account: c.account, region: c.region };

    new AwsProvider(this, "aws", {
      region: c.region,
      allowedAccountIds: [c.account],
      defaultTags: [{ tags: { project: "hotels-pipeline", environment: c.name, "managed-by": "cdktf" } }],
    });
    const backend = new S3Backend(this, {
      bucket: c.state.bucket,
      key: c.state.key,
      region: c.region,
      encrypt: true,
    });
    // S3-native state locking (Terraform ≥ 1.10): a lock object beside the state, no DynamoDB table.
    backend.addOverride("use_lockfile", true);

    this.keys = new Keys(this, "keys", {
      namePrefix,
      account: c.account,
      region: c.region,
      deletionWindowDays: c.deletionProtection ? 30 : 7,
    });
    const logs = { logRetentionDays: c.logRetentionDays, logsKeyArn: this.keys.logs.arn };
    this.network = new Network(this, "network", {
      ...base,
      ...logs,
      cidr: c.network.cidr,
      azCount: c.network.azCount,
    });
    this.lake = new DataLake(this, "lake", {
      namePrefix,
      account: c.account,
      kmsKeyArn: this.keys.lake.arn,
      rawToInfrequentAccessDays: c.lake.rawToInfrequentAccessDays,
      rawToGlacierDays: c.lake.rawToGlacierDays,
      queryResultsExpireDays: c.lake.queryResultsExpireDays,
      noncurrentVersionExpireDays: c.lake.noncurrentVersionExpireDays,
      forceDestroy: !c.deletionProtection,
    });
    this.database = new SourceDatabase(this, "database", {
      namePrefix,
      ...logs,
      subnetIds: this.network.privateSubnetIds,
      securityGroupIds: [this.network.databaseSecurityGroup.id],
      kmsKeyArn: this.keys.database.arn,
      minAcu: c.database.minAcu,
      maxAcu: c.database.maxAcu,
      backupRetentionDays: c.database.backupRetentionDays,
      deletionProtection: c.deletionProtection,
    });
    this.glue = new GlueEtl(this, "glue", {
      ...base,
      ...logs,
      buckets: this.lake.buckets,
      artifacts: this.lake.artifacts,
      lakeKeyArn: this.keys.lake.arn,
      scriptPath: props.inputs.glueScriptPath,
      database: {
        jdbcUrl: `jdbc:postgresql://${this.database.cluster.endpoint}:5432/${this.database.databaseName}`,
        secretArn: this.database.secretArn,
        name: this.database.databaseName,
      },
      subnetId: this.network.privateSubnetIds[0]!,
      availabilityZone: this.network.availabilityZones[0]!,
      securityGroupId: this.network.glueSecurityGroup.id,
      workerType: c.glue.workerType,
      numberOfWorkers: c.glue.numberOfWorkers,
      timeoutMinutes: c.glue.timeoutMinutes,
    });
    this.athena = new AthenaWorkgroup(this, "athena", {
      namePrefix,
      account: c.account,
      resultsBucket: this.lake.buckets["query-results"],
      kmsKeyArn: this.keys.lake.arn,
      bytesScannedCutoffPerQuery: c.athena.bytesScannedCutoffPerQuery,
      namedQueries: props.inputs.namedQueries,
    });
    this.sageMaker = new SageMaker(this, "sagemaker", {
      ...base,
      buckets: this.lake.buckets,
      lakeKeyArn: this.keys.lake.arn,
      mlKeyArn: this.keys.ml.arn,
      modelArtifactKey: c.sageMaker.modelArtifactKey,
      memorySizeMb: c.sageMaker.memorySizeMb,
      maxConcurrency: c.sageMaker.maxConcurrency,
    });
    this.functions = new PipelineFunctions(this, "functions", {
      ...base,
      ...logs,
      prefix: c.prefix,
      env: c.name,
      functions: props.functions ?? FUNCTIONS,
      bundleOf: props.bundleOf ?? bundleIn(props.inputs.lambdasDir),
      subnetIds: this.network.privateSubnetIds,
      securityGroupIds: [this.network.functionsSecurityGroup.id],
      alarmEmail: c.alarmEmail,
      memoryMb: c.functions.memoryMb,
      schedule: c.functions.schedule,
      resources: {
        buckets: this.lake.buckets,
        lakeKeyArn: this.keys.lake.arn,
        databaseKeyArn: this.keys.database.arn,
        database: {
          clusterArn: this.database.cluster.arn,
          secretArn: this.database.secretArn,
          name: this.database.databaseName,
        },
        glueJobName: this.glue.job?.name,
        crawlerName: this.glue.crawler.name,
        workgroupName: this.athena.workgroup.name,
        sageMakerRoleArn: this.sageMaker.executionRole.arn,
        xgboostImageUri: this.sageMaker.imageUri,
      },
    });

    new TerraformOutput(this, "database_cluster_arn", { value: this.database.cluster.arn });
    new TerraformOutput(this, "database_secret_arn", { value: this.database.secretArn });
    new TerraformOutput(this, "athena_workgroup", { value: this.athena.workgroup.name });
    new TerraformOutput(this, "glue_crawler", { value: this.glue.crawler.name });
    if (this.glue.job) new TerraformOutput(this, "glue_job", { value: this.glue.job.name });
    new TerraformOutput(this, "lake_buckets", {
      value: Object.fromEntries(Object.entries(this.lake.buckets).map(([z, b]) => [z, b.bucket])),
    });
  }
}
