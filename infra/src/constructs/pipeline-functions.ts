import { existsSync } from "node:fs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target/index.js";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification/index.js";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic/index.js";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription/index.js";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import type { LambdaFunction as FunctionSpec, ResourceRef, Trigger } from "@hotels/lambdas";
import type { LakeZone } from "@hotels/schema";
import { Annotations, AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { policyDocument } from "../naming.ts";

export type { FunctionSpec };

/** Resources of the stack the functions act on (names and ARNs become their environment and policies). */
export interface PipelineResources {
  readonly buckets: Record<LakeZone, S3Bucket>;
  /** Lake buckets' key (the functions' `kms-key`) — also encrypts their environment variables. */
  readonly lakeKeyArn: string;
  /** Encrypts the database secret: a function reading the secret needs to decrypt with it. */
  readonly databaseKeyArn: string;
  readonly database: { readonly clusterArn: string; readonly secretArn: string; readonly name: string };
  /** Undefined when the Glue job is not synthesized (no script). */
  readonly glueJobName?: string;
  readonly crawlerName: string;
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
  /** The functions (`FUNCTIONS` of `@hotels/lambdas`): triggers, environment, permissions. */
  readonly functions: readonly FunctionSpec[];
  /** Zip of a function. Default: the spec's `zip` under `apps/lambdas`; a missing zip skips the function
   * with a warning. */
  readonly bundleOf: (fn: FunctionSpec) => string | undefined;
  readonly resources: PipelineResources;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** Log group and alarm topic encryption. */
  readonly logsKeyArn: string;
  /** Receives alarm notifications. */
  readonly alarmEmail: string;
  /** Retention of the functions' log groups. Default 30 days. */
  readonly logRetentionDays?: number;
  /** Replaces the expression of every `schedule` trigger. Default: the spec's own. */
  readonly schedule?: string;
  /** Memory of every function, replacing the spec's. Default: the spec's own. */
  readonly memoryMb?: number;
}

/** Every function of `apps/lambdas` from its esbuild zip: one least-privilege role each (the spec's
 * permissions resolved to this stack's exact ARNs, no `*` actions), a DLQ, a KMS-encrypted log group with
 * retention, X-Ray tracing, KMS-encrypted environment, VPC, an error alarm, and the S3 notification /
 * EventBridge rules / function URL that invoke it. */
export class PipelineFunctions extends Construct {
  public readonly functions: Record<string, LambdaFunction> = {};
  public readonly roles: Record<string, IamRole> = {};
  public readonly deadLetterQueue: SqsQueue;
  public readonly alarmTopic: SnsTopic;
  public readonly urls: Record<string, LambdaFunctionUrl> = {};
  /** Specs with no bundle (not deployed). */
  public readonly skipped: string[] = [];
  /** Permissions dropped because the resource they name does not exist in this stack (e.g. no Glue job). */
  public readonly unresolved: string[] = [];

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const r = props.resources;

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

    // What infra can tell a function (LambdaEnv of @hotels/lambdas); each gets the variables its spec lists.
    const values: Record<string, string | undefined> = {
      HOTELS_ENV: props.env,
      HOTELS_PREFIX: props.prefix,
      GLUE_JOB_NAME: r.glueJobName,
      GLUE_CRAWLER_NAME: r.crawlerName,
      DB_RESOURCE_ARN: r.database.clusterArn,
      DB_SECRET_ARN: r.database.secretArn,
      DB_NAME: r.database.name,
      SAGEMAKER_ROLE_ARN: r.sageMakerRoleArn,
      TRAINING_IMAGE: r.xgboostImageUri,
      ATHENA_WORKGROUP: r.workgroupName,
    };

    const notifications = new Map<
      LakeZone,
      { fn: LambdaFunction; trigger: Trigger & { kind: "s3" }; permission: LambdaPermission }[]
    >();
    for (const spec of props.functions) {
      const zip = props.bundleOf(spec);
      if (!zip) {
        this.skipped.push(spec.name);
        Annotations.of(this).addWarning(
          `PipelineFunctions: no bundle ${spec.zip} — function ${spec.name} not synthesized (run \`pnpm --filter @hotels/lambdas build\`)`,
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
        policy: policyDocument(this.statementsFor(spec, props, logGroup.arn)),
      });

      const env = Object.fromEntries(
        [
          ...new Set([
            "HOTELS_ENV",
            "HOTELS_PREFIX",
            ...spec.env,
            ...(usesAthena(spec) ? ["ATHENA_WORKGROUP"] : []),
          ]),
        ]
          .filter((k) => values[k] !== undefined)
          .map((k) => [k, values[k]!]),
      );
      const asset = new TerraformAsset(this, `${spec.name}-bundle`, { path: zip, type: AssetType.FILE });
      const fn = new LambdaFunction(this, spec.name, {
        functionName: name,
        description: spec.description,
        role: role.arn,
        runtime: spec.runtime,
        architectures: ["arm64"],
        handler: spec.handler,
        filename: asset.path,
        sourceCodeHash: Fn.filebase64sha256(asset.path),
        memorySize: props.memoryMb ?? spec.memoryMb,
        timeout: spec.timeoutSeconds,
        kmsKeyArn: r.lakeKeyArn,
        environment: {
          variables: { ...env, POWERTOOLS_SERVICE_NAME: spec.name, NODE_OPTIONS: "--enable-source-maps" },
        },
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

      spec.triggers.forEach((trigger, i) => {
        const tid = `${spec.name}-trigger-${i}`;
        switch (trigger.kind) {
          case "s3": {
            const bucket = r.buckets[trigger.zone];
            const permission = new LambdaPermission(this, `${tid}-permission`, {
              functionName: fn.functionName,
              action: "lambda:InvokeFunction",
              principal: "s3.amazonaws.com",
              sourceArn: bucket.arn,
              sourceAccount: props.account,
            });
            const list = notifications.get(trigger.zone) ?? [];
            list.push({ fn, trigger, permission });
            notifications.set(trigger.zone, list);
            return;
          }
          case "function-url":
            this.urls[spec.name] = new LambdaFunctionUrl(this, `${tid}-url`, {
              functionName: fn.functionName,
              authorizationType: trigger.authType,
            });
            return;
          case "schedule":
          case "eventbridge": {
            const rule = new CloudwatchEventRule(this, `${tid}-rule`, {
              name: `${name}-${i}`,
              description: trigger.kind === "schedule" ? `Runs ${name} on schedule` : `Invokes ${name}`,
              ...(trigger.kind === "schedule"
                ? { scheduleExpression: props.schedule ?? trigger.expression }
                : { eventPattern: JSON.stringify(scopePattern(trigger.pattern, props.namePrefix, r)) }),
            });
            new CloudwatchEventTarget(this, `${tid}-target`, {
              rule: rule.name,
              arn: fn.arn,
              deadLetterConfig: { arn: this.deadLetterQueue.arn },
              retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 },
            });
            new LambdaPermission(this, `${tid}-permission`, {
              functionName: fn.functionName,
              action: "lambda:InvokeFunction",
              principal: "events.amazonaws.com",
              sourceArn: rule.arn,
            });
            return;
          }
        }
      });
    }

    // One notification resource per bucket: S3 keeps a single notification configuration per bucket.
    for (const [zone, targets] of notifications) {
      new S3BucketNotification(this, `${zone}-notifications`, {
        bucket: r.buckets[zone].id,
        lambdaFunction: targets.map((t) => ({
          lambdaFunctionArn: t.fn.arn,
          events: [...t.trigger.events],
          filterPrefix: t.trigger.prefix,
        })),
        dependsOn: targets.map((t) => t.permission),
      });
    }
  }

  /** The spec's permissions with resources resolved to this stack's ARNs, plus what infra's own choices
   * require: its log group, the DLQ, VPC network interfaces, the environment and database-secret keys. */
  private statementsFor(spec: FunctionSpec, props: PipelineFunctionsProps, logGroupArn: string) {
    const r = props.resources;
    const arn = (service: string, resource: string) =>
      `arn:aws:${service}:${props.region}:${props.account}:${resource}`;
    const resolve = (ref: ResourceRef): string[] | undefined => {
      switch (ref.kind) {
        case "bucket":
          return [ref.keys ? `${r.buckets[ref.zone].arn}/${ref.keys}` : r.buckets[ref.zone].arn];
        case "glue-job":
          return r.glueJobName ? [arn("glue", `job/${r.glueJobName}`)] : undefined;
        case "glue-crawler":
          return [arn("glue", `crawler/${r.crawlerName}`)];
        case "glue-catalog":
          return [
            arn("glue", "catalog"),
            ...ref.databases.flatMap((d) => [arn("glue", `database/${d}`), arn("glue", `table/${d}/*`)]),
          ];
        case "rds-cluster":
          return [r.database.clusterArn];
        case "db-secret":
          return [r.database.secretArn];
        case "sagemaker":
          // Job and model names are `<prefix>-<env>-…` (apps/lambdas `jobName`).
          return [arn("sagemaker", `${ref.what}/${props.namePrefix}-*`)];
        case "sagemaker-role":
          return [r.sageMakerRoleArn];
        case "athena-workgroup":
          return [arn("athena", `workgroup/${r.workgroupName}`)];
        case "kms-key":
          return [r.lakeKeyArn];
        case "*":
          return ["*"];
      }
    };
    const statements: Record<string, unknown>[] = [
      {
        Sid: "OwnLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`${logGroupArn}:*`],
      },
      {
        Sid: "DeadLetters",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: [this.deadLetterQueue.arn],
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
      { Sid: "EnvironmentKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [r.lakeKeyArn] },
    ];
    spec.permissions.forEach((p, i) => {
      const resolved = p.resources.map(resolve);
      if (resolved.some((x) => x === undefined)) {
        this.unresolved.push(`${spec.name}: ${p.actions.join(", ")} (${p.why})`);
        return;
      }
      const resources = [...new Set(resolved.flat() as string[])];
      const condition = p.actions.includes("iam:PassRole")
        ? { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } }
        : undefined;
      statements.push({
        Sid: `Spec${i}`,
        Effect: "Allow",
        Action: [...p.actions],
        Resource: resources.length === 1 && resources[0] === "*" ? "*" : resources,
        ...(condition ? { Condition: condition } : {}),
      });
    });
    if (spec.permissions.some((p) => p.resources.some((x) => x.kind === "db-secret")))
      statements.push({
        Sid: "DatabaseSecretKey",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: [r.databaseKeyArn],
      });
    return statements;
  }
}

const usesAthena = (spec: FunctionSpec) =>
  spec.permissions.some((p) => p.resources.some((r) => r.kind === "athena-workgroup"));

/** Narrows an AWS service event pattern to this stack's resources: its Glue job and crawler by name, its
 * SageMaker jobs by name prefix. Other events never reach the functions. */
export function scopePattern(
  pattern: Readonly<Record<string, readonly string[]>>,
  namePrefix: string,
  r: Pick<PipelineResources, "glueJobName" | "crawlerName">,
): Record<string, unknown> {
  const types = pattern["detail-type"] ?? [];
  // A pattern's detail fields are ANDed: only a single event type can be narrowed by its own field.
  if (types.length !== 1 || pattern.detail) return { ...pattern };
  const detail: Record<string, unknown> = {};
  if (types.includes("Glue Job State Change") && r.glueJobName) detail.jobName = [r.glueJobName];
  if (types.includes("Glue Crawler State Change")) detail.crawlerName = [r.crawlerName];
  if (types.includes("SageMaker Training Job State Change"))
    detail.TrainingJobName = [{ prefix: `${namePrefix}-` }];
  if (types.includes("SageMaker Transform Job State Change"))
    detail.TransformJobName = [{ prefix: `${namePrefix}-` }];
  return Object.keys(detail).length ? { ...pattern, detail } : { ...pattern };
}

/** The zip of a spec if it has been built (`apps/lambdas/<zip>`). */
export function bundleIn(lambdasDir: string): (fn: FunctionSpec) => string | undefined {
  return (fn) => {
    const p = `${lambdasDir}/${fn.zip}`;
    return existsSync(p) ? p : undefined;
  };
}
