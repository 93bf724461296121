import { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import { ObjectExistsError, ObjectNotFoundError } from "./errors.ts";
import type { ObjectInfo, ObjectStore, PutOptions } from "./port.ts";

export interface S3ObjectStoreOptions {
  /** The S3 client. Default: a client for `region` with the default credential chain. */
  readonly client?: S3Client;
  /** Region of the default client. */
  readonly region?: string;
  /** Multipart part size for streamed bodies, bytes. Default 8 MiB (S3's minimum is 5 MiB). */
  readonly partSize?: number;
  /** Parts uploaded in parallel per streamed body. Default 4. */
  readonly queueSize?: number;
}

const httpStatus = (e: unknown) =>
  (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const errName = (e: unknown) => (e as { name?: string }).name;

/** The object store on S3. Single PUTs are atomic on S3; streamed bodies go through lib-storage's multipart
 * `Upload`, which only becomes visible on CompleteMultipartUpload (and is aborted on failure). */
/** The SDK modules, loaded on first use: they take ~200 ms to load, which every local command would pay
 * (this package's index exports this adapter). */
async function loadSdk() {
  const [s3, storage] = await Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/lib-storage")]);
  return { s3, storage };
}

export class S3ObjectStore implements ObjectStore {
  readonly kind = "s3" as const;
  private readonly options: S3ObjectStoreOptions;
  private readonly partSize: number;
  private readonly queueSize: number;
  private ready?: Promise<{ sdk: Awaited<ReturnType<typeof loadSdk>>; client: S3Client }>;

  constructor(options: S3ObjectStoreOptions) {
    this.options = options;
    this.partSize = options.partSize ?? 8 * 1024 * 1024;
    this.queueSize = options.queueSize ?? 4;
  }

  private sdk() {
    this.ready ??= loadSdk().then((sdk) => ({
      sdk,
      client: this.options.client ?? new sdk.s3.S3Client({ region: this.options.region }),
    }));
    return this.ready;
  }

  async put(
    bucket: string,
    key: string,
    body: Uint8Array | string | AsyncIterable<Uint8Array>,
    options: PutOptions = {},
  ): Promise<void> {
    const ifNoneMatch = options.ifAbsent ? "*" : undefined;
    const { sdk, client } = await this.sdk();
    try {
      if (typeof body === "string" || body instanceof Uint8Array) {
        await client.send(
          new sdk.s3.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, IfNoneMatch: ifNoneMatch }),
        );
      } else {
        const upload = new sdk.storage.Upload({
          client,
          params: { Bucket: bucket, Key: key, Body: Readable.from(body), IfNoneMatch: ifNoneMatch },
          partSize: this.partSize,
          queueSize: this.queueSize,
          leavePartsOnError: false,
        });
        await upload.done();
      }
    } catch (e) {
      // 412 Precondition Failed (or 409 ConditionalRequestConflict during a racing write) = already there.
      if (options.ifAbsent && (httpStatus(e) === 412 || httpStatus(e) === 409))
        throw new ObjectExistsError(bucket, key);
      throw e;
    }
  }

  async get(bucket: string, key: string): Promise<Uint8Array> {
    const { sdk, client } = await this.sdk();
    try {
      const r = await client.send(new sdk.s3.GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!r.Body) return new Uint8Array();
      return await r.Body.transformToByteArray();
    } catch (e) {
      if (errName(e) === "NoSuchKey" || httpStatus(e) === 404) throw new ObjectNotFoundError(bucket, key);
      throw e;
    }
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    const { sdk, client } = await this.sdk();
    try {
      const r = await client.send(new sdk.s3.HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { key, size: r.ContentLength ?? 0, lastModified: r.LastModified ?? new Date(0) };
    } catch (e) {
      if (errName(e) === "NotFound" || httpStatus(e) === 404) return undefined;
      throw e;
    }
  }

  async *list(bucket: string, prefix = ""): AsyncIterable<ObjectInfo> {
    const { sdk, client } = await this.sdk();
    const pages = sdk.s3.paginateListObjectsV2(
      { client },
      { Bucket: bucket, Prefix: prefix === "" ? undefined : prefix },
    );
    for await (const page of pages)
      for (const o of page.Contents ?? [])
        if (o.Key !== undefined)
          yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
  }

  async sweepIncomplete(bucket: string, prefix: string, before: Date): Promise<number> {
    const { sdk, client } = await this.sdk();
    let aborted = 0;
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    for (;;) {
      let page: import("@aws-sdk/client-s3").ListMultipartUploadsCommandOutput;
      try {
        page = await client.send(
          new sdk.s3.ListMultipartUploadsCommand({
            Bucket: bucket,
            Prefix: prefix,
            KeyMarker,
            UploadIdMarker,
          }),
        );
      } catch (e) {
        // S3-compatible servers without the API (s3rver): nothing this store can sweep. On AWS the bucket's
        // AbortIncompleteMultipartUpload lifecycle rule is the backstop.
        if (errName(e) === "NotImplemented" || httpStatus(e) === 501) return aborted;
        throw e;
      }
      for (const u of page.Uploads ?? [])
        if (u.Key && u.UploadId && u.Initiated && u.Initiated < before) {
          await client.send(
            new sdk.s3.AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }),
          );
          aborted++;
        }
      if (!page.IsTruncated) return aborted;
      KeyMarker = page.NextKeyMarker;
      UploadIdMarker = page.NextUploadIdMarker;
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    const { sdk, client } = await this.sdk();
    await client.send(new sdk.s3.DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
}
