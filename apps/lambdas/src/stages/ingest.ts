import { Readable } from "node:stream";
import type { ObjectStore } from "@hotels/lake";
import type { Stage } from "@hotels/pipeline";
import { type IngestSummary, ingest, type SqlSource } from "@hotels/source";

/** `s3://bucket/key` → bucket and key. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`not an s3:// object URI: ${uri}`);
  return { bucket: m[1]!, key: m[2]! };
}

/** The balanced totals of an ingest summary (read = loaded + rejected). */
export const ingestCounts = (s: IngestSummary) => ({
  read: s.read,
  loaded: s.loaded,
  rejected: s.rejected,
  inserted: s.inserted,
  updated: s.updated,
  unchanged: s.unchanged,
});

/** Ingest on AWS: a dropped object (CSV or NDJSON, gzip or plain) into RDS through the Data API; rejects
 * quarantined in `ingest_rejects`. A run with nothing to ingest (a schedule) just reports the change. */
export function dataApiIngestStage(o: {
  readonly store: ObjectStore;
  readonly source: () => Promise<SqlSource>;
}): Stage<"ingest"> {
  return {
    async inputKey(e) {
      if (e.data.input.kind !== "file") return JSON.stringify(e.data.input);
      const { bucket, key } = parseS3Uri(e.data.input.uri);
      const info = await o.store.head(bucket, key);
      // Same object, same size and time: same input (a re-delivered S3 notification is a no-op).
      return `${e.data.input.uri}@${info?.size}@${info?.lastModified.toISOString()}`;
    },
    async run(e, ctx) {
      const input = e.data.input;
      if (input.kind === "none")
        return { kind: "done", data: { reason: e.data.trigger === "schedule" ? "schedule" : "external" } };
      if (input.kind === "generate")
        throw new Error("generated data is a local-only input (hotels ingest --generate)");
      const { bucket, key } = parseS3Uri(input.uri);
      const body = await o.store.get(bucket, key);
      const summary = await ingest(await o.source(), Readable.from([body]), {
        sourceName: input.uri,
        onProgress: (p) => ctx.progress({ rows: p.read }),
      });
      const counts = ingestCounts(summary);
      return { kind: "done", data: { reason: "file", counts }, counts };
    },
  };
}
