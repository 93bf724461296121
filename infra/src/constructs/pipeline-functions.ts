import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target/index.js";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification/index.js";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic/index.js";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription/index.js";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import type { LakeZone } from "@hotels/schema";
import { Annotations, AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { policyDocument } from "../naming.ts";
import type { FunctionSpec } from "./function-specs.ts";

/** Resources of the stack the functions act on (names and ARNs become their environment and policies). */
export interface PipelineResources {
  readonly buckets: Record<LakeZone, S3Bucket>;
  readonly lakeKeyArn: string;
  readonly databaseKeyArn: string;
  readonly database: { readonly clusterArn: string; readonly secretArn: string; readonly name: string };
  /** Undefined when the Glue job is not synthesized (no script). */
  readonly glueJobName?: string;
  readonly crawlerName: string;
  readonly catalogDatabases: readonly string[];
  readonly workgroupName: string;
  readonly sageMakerRoleArn: string;
  readonly xgboostImageUri: string;
}

export interface PipelineFunctionsProps {
  /** `<prefix>-<env>`: functions are `<namePrefix>-<spec name>`. */
  readonly namePrefix: string;
  /** The bare prefix and environment, handed to the functions (`HOTELS_PREFIX`, `HOTELS_ENV`). */
  readonly prefix: string;
  readonly env: string;
  readonly account: string;
  readonly region: string;
  readonly functions: readonly FunctionSpec[];
  /** `name → zip path` of the bundles that exist; specs without one are skipped with a warning. */
  readonly bundles: ReadonlyMap<string, string>;
  readonly resources: PipelineResources;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** Log group and alarm topic encryption. */
  readonly logsKeyArn: string;
  /** Receives alarm notifications. */
  readonly alarmEmail: string;
  /** Default 1024 MB, 300 s, 30 days. */
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
  readonly logRetentionDays?: number;
  /** Schedule of `schedule` triggers without their own expression. Default `rate(1 hour)`. */
  readonly schedule?: string;
  /** Lambda runtime. Default `nodejs22.x`. */
  readonly runtime?: string;
}

/** Every function of `apps/lambdas` from its esbuild zip: one least-privilege role each (exact ARNs, no
 * `*` actions), a DLQ, a KMS-encrypted log group with retention, X-Ray tracing, an error alarm, and the
 * S3 notification / EventBridge rules that invoke it. */
export class PipelineFunctions extends Construct {
  public readonly functions: Record<string, LambdaFunction> = {};
  public readonly roles: Record<string, IamRole> = {};
  public readonly deadLetterQueue: SqsQueue;
  public readonly alarmTopic: SnsTopic;
  /** Spec names with no bundle (not deployed). */
  public readonly skipped: string[] = [];

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const { resources: r } = props;
    const arn = (service: string, resource: string) =>
      `arn:aws:${service}:${props.region}:${props.account}:${resource}`;

    this.alarmTopic = new SnsTopic(this, "alarms", {
      name: `${props.namePrefix}-alarms`,
      kmsMasterKeyId: props.logsKeyArn,
    });
    new SnsTopicSubscription(this, "alarms-email", {
      topicArn: this.alarmTopic.arn,
      protocol: "email",
      endpoint: props.alarmEmail,
    });
    // One DLQ for every function's failed asynchronous invocations (S3 and EventBridge invoke async).
    this.deadLetterQueue = new SqsQueue(this, "dlq", {
      name: `${props.namePrefix}-functions-dlq`,
      messageRetentionSeconds: 14 * 24 * 3600,
      // SSE-SQS: EventBridge and Lambda can write to it without a key policy grant per service.
      sqsManagedSseEnabled: true,
    });
    new CloudwatchMetricAlarm(this, "dlq-alarm", {
      alarmName: `${props.namePrefix}-functions-dlq-not-empty`,
      alarmDescription: "A pipeline event failed every retry and is waiting in the DLQ",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: this.deadLetterQueue.name },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [this.alarmTopic.arn],
    });

    const environment: Record<string, string> = {
      HOTELS_RUNTIME: "aws",
      HOTELS_ENV: props.env,
      HOTELS_PREFIX: props.prefix,
      HOTELS_DATABASE_CLUSTER_ARN: r.database.clusterArn,
      HOTELS_DATABASE_SECRET_ARN: r.database.secretArn,
      HOTELS_DATABASE_NAME: r.database.name,
      HOTELS_GLUE_CRAWLER: r.crawlerName,
      HOTELS_ATHENA_WORKGROUP: r.workgroupName,
      HOTELS_SAGEMAKER_ROLE_ARN: r.sageMakerRoleArn,
      HOTELS_XGBOOST_IMAGE: r.xgboostImageUri,
      ...(r.glueJobName ? { HOTELS_GLUE_JOB: r.glueJobName } : {}),
      NODE_OPTIONS: "--enable-source-maps",
    };

    const rules = new Map<string, CloudwatchEventRule>();
    const rule = (key: string, make: () => CloudwatchEventRule) => {
      if (!rules.has(key)) rules.set(key, make());
      return rules.get(key)!;
    };
    const notifications = new Map<
      LakeZone,
      { fn: LambdaFunction; prefix: string; permission: LambdaPermission }[]
    >();

    for (const spec of props.functions) {
      const zip = props.bundles.get(spec.name);
      if (!zip) {
        this.skipped.push(spec.name);
        Annotations.of(this).addWarning(
          `PipelineFunctions: no bundle apps/lambdas/dist/${spec.name}.zip — function ${spec.name} not synthesized (run \`pnpm --filter @hotels/lambdas build\`)`,
        );
        continue;
      }
      const name = `${props.namePrefix}-${spec.name}`;
      const logGroup = new CloudwatchLogGroup(this, `${spec.name}-logs`, {
        name: `/aws/lambda/${name}`,
        retentionInDays: props.logRetentionDays ?? 30,
        kmsKeyId: props.logsKeyArn,
      });
      const role = new IamRole(this, `${spec.name}-role`, {
        name,
        description: `Execution role of ${name}`,
        assumeRolePolicy: policyDocument([
          {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": props.account } },
          },
        ]),
      });
      this.roles[spec.name] = role;
      new IamRolePolicy(this, `${spec.name}-policy`, {
        role: role.id,
        policy: policyDocument(
          statementsFor(spec, {
            ...props,
            arn,
            logGroupArn: logGroup.arn,
            dlqArn: this.deadLetterQueue.arn,
          }),
        ),
      });
      const asset = new TerraformAsset(this, `${spec.name}-bundle`, { path: zip, type: AssetType.FILE });
      const fn = new LambdaFunction(this, spec.name, {
        functionName: name,
        description: spec.description,
        role: role.arn,
        runtime: props.runtime ?? "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        filename: asset.path,
        sourceCodeHash: Fn.filebase64sha256(asset.path),
        memorySize: spec.memoryMb ?? props.memoryMb ?? 1024,
        timeout: spec.timeoutSeconds ?? props.timeoutSeconds ?? 300,
        kmsKeyArn: r.lakeKeyArn,
        environment: { variables: { ...environment, POWERTOOLS_SERVICE_NAME: spec.name } },
        deadLetterConfig: { targetArn: this.deadLetterQueue.arn },
        tracingConfig: { mode: "Active" },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        vpcConfig: { subnetIds: props.subnetIds, securityGroupIds: props.securityGroupIds },
        dependsOn: [logGroup],
      });
      this.functions[spec.name] = fn;
      new CloudwatchMetricAlarm(this, `${spec.name}-errors`, {
        alarmName: `${name}-errors`,
        alarmDescription: `${name} failed`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: fn.functionName },
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [this.alarmTopic.arn],
      });

      for (const trigger of spec.triggers) {
        if (trigger.kind === "s3") {
          const bucket = r.buckets[trigger.zone];
          const permission = new LambdaPermission(this, `${spec.name}-from-s3-${trigger.zone}`, {
            functionName: fn.functionName,
            action: "lambda:InvokeFunction",
            principal: "s3.amazonaws.com",
            sourceArn: bucket.arn,
            sourceAccount: props.account,
          });
          const list = notifications.get(trigger.zone) ?? [];
          list.push({ fn, prefix: trigger.prefix, permission });
          notifications.set(trigger.zone, list);
          continue;
        }
        const eventRule =
          trigger.kind === "schedule"
            ? rule(
                `schedule-${trigger.expression ?? "default"}-${spec.name}`,
                () =>
                  new CloudwatchEventRule(this, `${spec.name}-schedule`, {
                    name: `${name}-schedule`,
                    description: `Runs ${name} on schedule`,
                    scheduleExpression: trigger.expression ?? props.schedule ?? "rate(1 hour)",
                  }),
              )
            : trigger.kind === "glue-state"
              ? rule(
                  "glue-state",
                  () =>
                    new CloudwatchEventRule(this, "glue-state", {
                      name: `${props.namePrefix}-glue-state`,
                      description: "The ETL job or the crawler changed state",
                      eventPattern: JSON.stringify({
                        source: ["aws.glue"],
                        "detail-type": ["Glue Job State Change", "Glue Crawler State Change"],
                      }),
                    }),
                )
              : rule(
                  "sagemaker-state",
                  () =>
                    new CloudwatchEventRule(this, "sagemaker-state", {
                      name: `${props.namePrefix}-sagemaker-state`,
                      description: "A training or batch-transform job changed state",
                      eventPattern: JSON.stringify({
                        source: ["aws.sagemaker"],
                        "detail-type": [
                          "SageMaker Training Job State Change",
                          "SageMaker Transform Job State Change",
                        ],
                      }),
                    }),
                );
        new CloudwatchEventTarget(this, `${spec.name}-target-${trigger.kind}`, {
          rule: eventRule.name,
          arn: fn.arn,
          deadLetterConfig: { arn: this.deadLetterQueue.arn },
          retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 },
        });
        new LambdaPermission(this, `${spec.name}-from-${trigger.kind}`, {
          functionName: fn.functionName,
          action: "lambda:InvokeFunction",
          principal: "events.amazonaws.com",
          sourceArn: eventRule.arn,
        });
      }
    }

    // One notification resource per bucket: S3 keeps a single notification configuration per bucket.
    for (const [zone, targets] of notifications) {
      new S3BucketNotification(this, `${zone}-notifications`, {
        bucket: r.buckets[zone].id,
        lambdaFunction: targets.map((t) => ({
          lambdaFunctionArn: t.fn.arn,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: t.prefix,
        })),
        dependsOn: targets.map((t) => t.permission),
      });
    }
  }
}

/** One function's policy statements: every action named, every resource an exact ARN (or ARN pattern of
 * this stack's names) except the few actions AWS cannot scope (X-Ray, VPC network interfaces). */
function statementsFor(
  spec: FunctionSpec,
  ctx: PipelineFunctionsProps & {
    arn: (s: string, r: string) => string;
    logGroupArn: string;
    dlqArn: string;
  },
): Record<string, unknown>[] {
  const { access } = spec;
  const r = ctx.resources;
  const s: Record<string, unknown>[] = [
    {
      Sid: "Logs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [`${ctx.logGroupArn}:*`],
    },
    { Sid: "DeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [ctx.dlqArn] },
    {
      Sid: "Tracing",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      Resource: "*",
    },
    {
      // Lambda attaches the function to its subnets through ENIs; these EC2 actions take no resource ARN.
      Sid: "VpcNetworkInterfaces",
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      Resource: "*",
    },
  ];
  const keys = [r.lakeKeyArn];
  const read = access.read ?? [];
  const write = access.write ?? [];
  const zones = [...new Set([...read, ...write])];
  if (zones.length)
    s.push({
      Sid: "ListZones",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: zones.map((z) => r.buckets[z].arn),
    });
  if (read.length)
    s.push({
      Sid: "ReadZones",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: read.map((z) => `${r.buckets[z].arn}/*`),
    });
  if (write.length)
    s.push({
      Sid: "WriteZones",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
      Resource: write.map((z) => `${r.buckets[z].arn}/*`),
    });
  if (access.database) {
    keys.push(r.databaseKeyArn);
    s.push(
      {
        Sid: "DataApi",
        Effect: "Allow",
        Action: [
          "rds-data:ExecuteStatement",
          "rds-data:BatchExecuteStatement",
          "rds-data:BeginTransaction",
          "rds-data:CommitTransaction",
          "rds-data:RollbackTransaction",
        ],
        Resource: [r.database.clusterArn],
      },
      {
        Sid: "DatabaseSecret",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [r.database.secretArn],
      },
    );
  }
  if (access.glueJob && r.glueJobName)
    s.push({
      Sid: "EtlJob",
      Effect: "Allow",
      Action: ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:GetJob"],
      Resource: [ctx.arn("glue", `job/${r.glueJobName}`)],
    });
  if (access.crawler)
    s.push({
      Sid: "Crawler",
      Effect: "Allow",
      Action: ["glue:StartCrawler", "glue:GetCrawler"],
      Resource: [ctx.arn("glue", `crawler/${r.crawlerName}`)],
    });
  if (access.catalog || access.athena)
    s.push({
      Sid: "Catalog",
      Effect: "Allow",
      Action: [
        "glue:GetDatabase",
        "glue:GetDatabases",
        "glue:GetTable",
        "glue:GetTables",
        "glue:GetPartition",
        "glue:GetPartitions",
        ...(access.catalog ? ["glue:BatchCreatePartition", "glue:CreatePartition", "glue:UpdateTable"] : []),
      ],
      Resource: [
        ctx.arn("glue", "catalog"),
        ...r.catalogDatabases.flatMap((d) => [
          ctx.arn("glue", `database/${d}`),
          ctx.arn("glue", `table/${d}/*`),
        ]),
      ],
    });
  if (access.athena)
    s.push({
      Sid: "Athena",
      Effect: "Allow",
      Action: [
        "athena:StartQueryExecution",
        "athena:GetQueryExecution",
        "athena:GetQueryResults",
        "athena:StopQueryExecution",
        "athena:GetNamedQuery",
        "athena:ListNamedQueries",
        "athena:GetWorkGroup",
      ],
      Resource: [ctx.arn("athena", `workgroup/${r.workgroupName}`)],
    });
  if (access.sagemaker) {
    const job = (kind: string) => ctx.arn("sagemaker", `${kind}/${ctx.namePrefix}-*`);
    s.push(
      {
        Sid: "SageMakerJobs",
        Effect: "Allow",
        Action: [
          "sagemaker:CreateTrainingJob",
          "sagemaker:DescribeTrainingJob",
          "sagemaker:CreateTransformJob",
          "sagemaker:DescribeTransformJob",
          "sagemaker:CreateModel",
          "sagemaker:DescribeModel",
          "sagemaker:AddTags",
        ],
        Resource: [job("training-job"), job("transform-job"), job("model")],
      },
      {
        Sid: "PassSageMakerRole",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: [r.sageMakerRoleArn],
        Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
      },
    );
  }
  s.push({
    Sid: "Keys",
    Effect: "Allow",
    Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
    Resource: keys,
  });
  return s;
}
