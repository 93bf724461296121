import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import { LambdaFunctionUrlSchema } from "@aws-lambda-powertools/parser/schemas/lambda";
import { S3Schema } from "@aws-lambda-powertools/parser/schemas/s3";
import { z } from "zod";

/** The AWS events the functions accept, as Powertools parser schemas narrowed to what each one handles. */

export const ScheduledEvent = EventBridgeSchema.extend({
  source: z.literal("aws.events"),
  "detail-type": z.literal("Scheduled Event"),
});

export const GlueJobStateChange = EventBridgeSchema.extend({
  source: z.literal("aws.glue"),
  "detail-type": z.literal("Glue Job State Change"),
  detail: z.object({
    jobName: z.string(),
    jobRunId: z.string(),
    state: z.enum(["SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR"]),
    message: z.string().optional(),
    severity: z.string().optional(),
  }),
});

export const GlueCrawlerStateChange = EventBridgeSchema.extend({
  source: z.literal("aws.glue"),
  "detail-type": z.literal("Glue Crawler State Change"),
  detail: z.looseObject({
    crawlerName: z.string(),
    state: z.enum(["Started", "Succeeded", "Failed"]),
    message: z.string().optional(),
    errorMessage: z.string().optional(),
    tablesCreated: z.string().optional(),
    tablesUpdated: z.string().optional(),
    partitionsCreated: z.string().optional(),
  }),
});

export const TrainingJobStateChange = EventBridgeSchema.extend({
  source: z.literal("aws.sagemaker"),
  "detail-type": z.literal("SageMaker Training Job State Change"),
  detail: z.looseObject({
    TrainingJobName: z.string(),
    TrainingJobStatus: z.enum(["InProgress", "Completed", "Failed", "Stopping", "Stopped"]),
    FailureReason: z.string().optional(),
    ModelArtifacts: z.object({ S3ModelArtifacts: z.string() }).optional(),
    FinalMetricDataList: z.array(z.looseObject({ MetricName: z.string(), Value: z.number() })).optional(),
  }),
});

export const TransformJobStateChange = EventBridgeSchema.extend({
  source: z.literal("aws.sagemaker"),
  "detail-type": z.literal("SageMaker Transform Job State Change"),
  detail: z.looseObject({
    TransformJobName: z.string(),
    TransformJobStatus: z.enum(["InProgress", "Completed", "Failed", "Stopping", "Stopped"]),
    FailureReason: z.string().optional(),
    TransformOutput: z.looseObject({ S3OutputPath: z.string() }).optional(),
    /** Epoch milliseconds (DescribeTransformJob's field, as the event carries it). */
    TransformEndTime: z.number().optional(),
  }),
});

/** S3 notifications for objects created under `incoming/` of the raw bucket. */
export const IncomingObjectEvent = S3Schema;

/** The ingestion function's URL request. */
export const IngestRequest = LambdaFunctionUrlSchema;
/** Its body: a batch of booking records (plain source-table records), or `{ table, records }`. */
export const IngestBody = z.union([
  z.array(z.record(z.string(), z.unknown())).min(1),
  z.object({
    table: z.enum(["bookings", "hotels", "customers", "reviews"]).default("bookings"),
    records: z.array(z.record(z.string(), z.unknown())).min(1),
  }),
]);
