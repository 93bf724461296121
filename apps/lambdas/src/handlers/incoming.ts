import type { Deps } from "../compose/incoming.ts";
import { IncomingObjectEvent } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { lazy } from "../lazy.ts";
import { logger } from "../observability.ts";

export const INCOMING_PREFIX = "incoming/";

/** The AWS composition (SDK clients, pipeline, stages), imported on the first event this function
 * accepts so that its cold import stays small; tests pass their own. */
export const defaultDeps = async (): Promise<Deps> => (await import("../compose/incoming.ts")).compose();

/** S3 ObjectCreated under `raw/incoming/` → a pipeline run per file: ingest it into RDS (Data API),
 * then start the ETL job — the same flow `hotels pipeline watch` runs locally. */
export const makeHandler = (deps: () => Deps | Promise<Deps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "incoming",
    schema: IncomingObjectEvent,
    async handle(event, context) {
      const { core, stages } = await deps();
      const { pipelineFor, runSummary } = await import("../compose.ts");
      const runs = [];
      for (const r of event.Records) {
        // S3 notifications carry keys URL-encoded, spaces as `+`.
        const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, " "));
        if (
          !r.eventName.startsWith("ObjectCreated:") ||
          !key.startsWith(INCOMING_PREFIX) ||
          key.endsWith("/")
        ) {
          logger.warn("S3 record outside raw/incoming/ ignored", { eventName: r.eventName, key });
          continue;
        }
        const uri = `s3://${r.s3.bucket.name}/${key}`;
        const run = await pipelineFor(core, stages, context).run({
          trigger: "file",
          input: { kind: "file", uri },
        });
        runs.push({ uri, ...runSummary(run) });
      }
      return { runs };
    },
  });

export const handler = makeHandler();
