import { readFileSync } from "node:fs";
import path from "node:path";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";

/** An AWS sample event from test/events (copied from the AWS documentation's examples). */
export function sample<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(
    readFileSync(path.join(import.meta.dirname, "..", "events", `${name}.json`), "utf8"),
  ) as T;
}

const s3Error = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

/** S3 (which cannot run here in a unit test) as an in-memory bucket map behind aws-sdk-client-mock, so the
 * real S3ObjectStore, TableLog and RunLog run over it and every request shape is recorded. */
export function mockS3() {
  const objects = new Map<string, { body: Uint8Array; at: Date }>();
  const k = (b?: string, key?: string) => `${b}/${key}`;
  const mock = mockClient(S3Client);
  const install = () => {
    mock.on(PutObjectCommand).callsFake((input) => {
      const id = k(input.Bucket, input.Key);
      if (input.IfNoneMatch === "*" && objects.has(id)) throw s3Error("PreconditionFailed", 412);
      const body = typeof input.Body === "string" ? new TextEncoder().encode(input.Body) : input.Body;
      objects.set(id, { body, at: new Date() });
      return { ETag: '"etag"' };
    });
    mock.on(GetObjectCommand).callsFake((input) => {
      const o = objects.get(k(input.Bucket, input.Key));
      if (!o) throw s3Error("NoSuchKey", 404);
      return { Body: { transformToByteArray: async () => o.body }, ContentLength: o.body.length };
    });
    mock.on(HeadObjectCommand).callsFake((input) => {
      const o = objects.get(k(input.Bucket, input.Key));
      if (!o) throw s3Error("NotFound", 404);
      return { ContentLength: o.body.length, LastModified: o.at };
    });
    mock.on(ListObjectsV2Command).callsFake((input) => {
      const prefix = `${input.Bucket}/${input.Prefix ?? ""}`;
      const Contents = [...objects.entries()]
        .filter(([id]) => id.startsWith(prefix))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, o]) => ({
          Key: id.slice(`${input.Bucket}/`.length),
          Size: o.body.length,
          LastModified: o.at,
        }));
      return { Contents, IsTruncated: false, KeyCount: Contents.length };
    });
    mock.on(DeleteObjectCommand).callsFake((input) => {
      objects.delete(k(input.Bucket, input.Key));
      return {};
    });
  };
  install();
  return {
    mock,
    objects,
    put: (bucket: string, key: string, body: string) =>
      objects.set(k(bucket, key), { body: new TextEncoder().encode(body), at: new Date() }),
    json: (bucket: string, key: string) => {
      const o = objects.get(k(bucket, key));
      return o ? (JSON.parse(new TextDecoder().decode(o.body)) as Record<string, unknown>) : undefined;
    },
    reset: () => {
      objects.clear();
      mock.reset();
      install();
    },
  };
}

/** The environment infra gives the functions (functions.ts lists each one's variables). */
export const TEST_ENV = {
  HOTELS_ENV: "dev",
  HOTELS_PREFIX: "hotels",
  AWS_REGION: "eu-west-1",
  GLUE_JOB_NAME: "hotels-dev-etl",
  GLUE_CRAWLER_NAME: "hotels-dev-lake",
  DB_RESOURCE_ARN: "arn:aws:rds:eu-west-1:123456789012:cluster:hotels-dev",
  DB_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hotels-dev-db-AbCdEf",
  DB_NAME: "hotels",
  SAGEMAKER_ROLE_ARN: "arn:aws:iam::123456789012:role/hotels-dev-sagemaker",
  TRAINING_IMAGE: "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1",
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  POWERTOOLS_DEV: "false",
  POWERTOOLS_TRACE_ENABLED: "false",
  POWERTOOLS_METRICS_DISABLED: "true",
  POWERTOOLS_LOG_LEVEL: "ERROR",
} as const;

/** A Lambda context with the fields the handlers read. */
export const lambdaContext = (requestId = "req-1") =>
  ({
    awsRequestId: requestId,
    functionName: "hotels-dev-test",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:hotels-dev-test",
    memoryLimitInMB: "256",
    logGroupName: "/aws/lambda/hotels-dev-test",
    logStreamName: "2026/11/24/[$LATEST]abc",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }) as never;
