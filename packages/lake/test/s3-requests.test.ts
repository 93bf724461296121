import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ObjectExistsError, S3ObjectStore } from "../src/index.ts";

describe("S3ObjectStore request shapes (aws-sdk-client-mock)", () => {
  const s3 = mockClient(S3Client);
  const store = new S3ObjectStore({ client: new S3Client({ region: "eu-west-1" }) });
  beforeEach(() => s3.reset());

  it("a create-if-absent put sends If-None-Match: * and maps 412 PreconditionFailed to ObjectExistsError", async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: "PreconditionFailed",
        $fault: "client",
        $metadata: { httpStatusCode: 412 },
        message: "At least one of the pre-conditions you specified did not hold",
      }),
    );
    await expect(
      store.put("b", "_snapshots/t/0000000001.json", "{}", { ifAbsent: true }),
    ).rejects.toBeInstanceOf(ObjectExistsError);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: "b",
      Key: "_snapshots/t/0000000001.json",
      IfNoneMatch: "*",
    });
  });

  it("a plain put sends no condition", async () => {
    s3.on(PutObjectCommand).resolves({});
    await store.put("b", "k", "x");
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.IfNoneMatch).toBeUndefined();
  });

  it("sweepIncomplete aborts multipart uploads under the prefix started before the cutoff, across pages", async () => {
    const cutoff = new Date("2026-11-24T06:00:00Z");
    const old = new Date("2026-11-24T05:00:00Z");
    const fresh = new Date("2026-11-24T06:30:00Z");
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({
        Uploads: [
          { Key: "t/a.parquet", UploadId: "u1", Initiated: old },
          { Key: "t/b.parquet", UploadId: "u2", Initiated: fresh },
        ],
        IsTruncated: true,
        NextKeyMarker: "t/b.parquet",
        NextUploadIdMarker: "u2",
      })
      .resolvesOnce({
        Uploads: [{ Key: "t/c.parquet", UploadId: "u3", Initiated: old }],
        IsTruncated: false,
      });
    s3.on(AbortMultipartUploadCommand).resolves({});
    expect(await store.sweepIncomplete("b", "t/", cutoff)).toBe(2);
    const lists = s3.commandCalls(ListMultipartUploadsCommand).map((c) => c.args[0].input);
    expect(lists).toEqual([
      { Bucket: "b", Prefix: "t/" },
      { Bucket: "b", Prefix: "t/", KeyMarker: "t/b.parquet", UploadIdMarker: "u2" },
    ]);
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: "b", Key: "t/a.parquet", UploadId: "u1" },
      { Bucket: "b", Key: "t/c.parquet", UploadId: "u3" },
    ]);
  });
});
