import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
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

/** s3rver over real HTTP on 127.0.0.1 (random port), behind a small front that adds two S3 semantics
 * s3rver 3.7 lacks: `If-None-Match: *` on PUT (S3 honours it since 2024: 412 PreconditionFailed), and
 * atomic visibility (s3rver writes in place, so a concurrent GET could read half an object). PUTs of a key
 * are serialised and its GET/HEAD wait for them; everything else is forwarded untouched. */
export async function startS3(buckets: readonly string[]): Promise<TestS3> {
  const dir = mkdtempSync(path.join(tmpdir(), "s3rver-"));
  const s3rver = new S3rver({
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  await s3rver.configureBuckets();
  const handle = s3rver.callback();
  const inFlight = new Map<string, Promise<void>>();
  /** Forwards to s3rver and resolves when the response is finished. */
  const forward = (req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      res.on("finish", resolve);
      res.on("close", resolve);
      handle(req, res);
    });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const [, bucket = "", ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    const id = `${bucket}/${key}`;
    const prev = inFlight.get(id);
    if (req.method !== "PUT" || url.search.includes("partNumber")) {
      // s3rver writes objects in place; S3 makes an object visible only once complete. Reads of a key
      // wait for its in-flight PUT, as they would see the old version or none on S3.
      if (prev && (req.method === "GET" || req.method === "HEAD")) void prev.then(() => handle(req, res));
      else handle(req, res);
      return;
    }
    const conditional = req.headers["if-none-match"] === "*";
    const done = (prev ?? Promise.resolve()).then(async () => {
      if (conditional) {
        // s3rver's filesystem store keeps an object at `<dir>/<bucket>/<key>._S3rver_object` (checked on
        // disk: an HTTP HEAD would queue behind this very PUT).
        const exists = existsSync(`${path.join(dir, bucket, ...key.split("/"))}._S3rver_object`);
        if (exists) {
          req.resume();
          res.writeHead(412, { "content-type": "application/xml" });
          res.end(
            `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>`,
          );
          return;
        }
      }
      await forward(req, res);
    });
    const settled = done.catch(() => {});
    inFlight.set(id, settled);
    void settled.then(() => {
      if (inFlight.get(id) === settled) inFlight.delete(id);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = s3Client(endpoint);
  return {
    client,
    endpoint,
    async close() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
