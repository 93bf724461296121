import type { SqlSource } from "@hotels/source";
import { IngestBody, IngestRequest } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { lazy } from "../lazy.ts";
import { logger, MetricUnit, metrics } from "../observability.ts";

/** The Data API source from the environment (imported with the SDK on the first batch). */
export const defaultSource = async (): Promise<SqlSource> => {
  const [{ openDataApi }, { readEnv, required }] = await Promise.all([
    import("../source-api.ts"),
    import("../env.ts"),
  ]);
  const env = readEnv();
  return openDataApi({
    resourceArn: required(env, "DB_RESOURCE_ARN"),
    secretArn: required(env, "DB_SECRET_ARN"),
    database: env.DB_NAME,
  });
};

const reply = (statusCode: number, body: unknown) => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** Hotels.com → RDS: a function URL taking a batch of records (JSON array, or `{ table, records }`),
 * validated against the schema, upserted through the Data API, rejects quarantined in `ingest_rejects`
 * with their line (1-based position in the batch), field and rule. Answers the balanced counts
 * (read = loaded + rejected); the next scheduled run carries them into the lake. */
export const makeHandler = (source: () => SqlSource | Promise<SqlSource> = lazy(defaultSource)) =>
  defineHandler({
    name: "ingest-api",
    schema: IngestRequest,
    async handle(event, context) {
      if (event.requestContext.http.method !== "POST")
        return reply(405, { error: "POST a batch of records" });
      const text = event.body
        ? event.isBase64Encoded
          ? Buffer.from(event.body, "base64").toString("utf8")
          : event.body
        : "";
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        return reply(400, { error: `body is not JSON: ${(e as Error).message}` });
      }
      const body = IngestBody.safeParse(json);
      if (!body.success) {
        const i = body.error.issues[0]!;
        return reply(400, { error: `body: ${i.path.join(".") || "(root)"}: ${i.message}` });
      }
      const { table, records } = Array.isArray(body.data)
        ? { table: "bookings" as const, records: body.data }
        : body.data;
      const ndjson = `${records.map((r) => JSON.stringify(r)).join("\n")}\n`;
      const [{ ingest, IngestFormatError }, { Readable }, { ingestCounts }] = await Promise.all([
        import("../source-api.ts"),
        import("node:stream"),
        import("../stages/ingest.ts"),
      ]);
      try {
        const summary = await ingest(await source(), Readable.from([Buffer.from(ndjson)]), {
          format: "ndjson",
          table,
          sourceName: `function-url:${context.awsRequestId}`,
        });
        const counts = ingestCounts(summary);
        metrics.addMetric("RecordsLoaded", MetricUnit.Count, counts.loaded);
        metrics.addMetric("RecordsRejected", MetricUnit.Count, counts.rejected);
        logger.info("batch ingested", { table, counts });
        return reply(200, { table, ...counts, balanced: counts.read === counts.loaded + counts.rejected });
      } catch (e) {
        if (e instanceof IngestFormatError) return reply(400, { error: e.message });
        throw e;
      }
    },
  });

export const handler = makeHandler();
