import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

export interface TestS3 {
  readonly client: S3Client;
  readonly endpoint: string;
  close(): Promise<void>;
}

/** A client configured the way s3rver needs (path style; checksums only when required, else s3rver stores
 * streamed bodies aws-chunked). */
export function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** s3rver over real HTTP on 127.0.0.1 (random port). s3rver 3.7 ignores `If-None-Match: *` on PUT, which
 * S3 honours since 2024 (412 PreconditionFailed); this front adds exactly that, serialised per key so it is
 * atomic within the test process, and forwards everything else untouched. */
export async function startS3(buckets: readonly string[]): Promise<TestS3> {
  const dir = mkdtempSync(path.join(tmpdir(), "s3rver-"));
  const s3rver = new S3rver({
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  await s3rver.configureBuckets();
  const handle = s3rver.callback();
  let probe: S3Client | undefined;
  const inFlight = new Map<string, Promise<void>>();
  const server = createServer((req, res) => {
    if (req.method !== "PUT" || req.headers["if-none-match"] !== "*") return handle(req, res);
    const url = new URL(req.url ?? "/", "http://x");
    const [, bucket = "", ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    const id = `${bucket}/${key}`;
    const prev = inFlight.get(id) ?? Promise.resolve();
    const done = prev.then(async () => {
      const exists = await probe!
        .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
        .then(() => true)
        .catch(() => false);
      if (exists) {
        req.resume();
        res.writeHead(412, { "content-type": "application/xml" });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>`,
        );
        return;
      }
      await new Promise<void>((resolve) => {
        res.on("finish", resolve);
        res.on("close", resolve);
        handle(req, res);
      });
    });
    inFlight.set(
      id,
      done.catch(() => {}),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  probe = s3Client(endpoint);
  const client = s3Client(endpoint);
  return {
    client,
    endpoint,
    async close() {
      client.destroy();
      probe?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
