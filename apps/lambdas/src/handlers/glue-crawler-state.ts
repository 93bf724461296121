import type { Deps } from "../compose/glue-crawler-state.ts";
import { GlueCrawlerStateChange } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { lazy } from "../lazy.ts";
import { crawlerRef } from "../stages/refs.ts";

/** The AWS composition (SDK clients, pipeline, stages), imported on the first event this function
 * accepts so that its cold import stays small; tests pass their own. */
export const defaultDeps = async (): Promise<Deps> =>
  (await import("../compose/glue-crawler-state.ts")).compose();

/** Glue Crawler State Change → finishes the crawl step (CatalogUpdated), then trains when there is enough
 * new data (Athena UNLOAD of the features + a SageMaker training job). `Started` is acknowledged. */
export const makeHandler = (deps: () => Deps | Promise<Deps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "glue-crawler-state",
    schema: GlueCrawlerStateChange,
    async handle(event, context) {
      const d = event.detail;
      if (d.state === "Started") return { ignored: true, reason: "crawler started" };
      const { core, stages } = await deps();
      const { pipelineFor, runSummary } = await import("../compose.ts");
      const run = await pipelineFor(core, stages, context).complete(crawlerRef(d.crawlerName), {
        ok: d.state === "Succeeded",
        error: `crawler ${d.crawlerName} ${d.state}: ${d.errorMessage ?? d.message ?? ""}`,
        details: { ...d },
      });
      return run ? runSummary(run) : { ignored: true, reason: `no pipeline step waits on ${d.crawlerName}` };
    },
  });

export const handler = makeHandler();
