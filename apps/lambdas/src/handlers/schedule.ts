import type { Deps } from "../compose/schedule.ts";
import { ScheduledEvent } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { lazy } from "../lazy.ts";

/** The AWS composition (SDK clients, pipeline, stages), imported on the first event this function
 * accepts so that its cold import stays small; tests pass their own. */
export const defaultDeps = async (): Promise<Deps> => (await import("../compose/schedule.ts")).compose();

/** EventBridge schedule → a pipeline run with nothing to ingest: ETL picks up whatever changed in RDS
 * (incremental), and training is due on schedule. */
export const makeHandler = (deps: () => Deps | Promise<Deps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "schedule",
    schema: ScheduledEvent,
    async handle(_event, context) {
      const { core, stages } = await deps();
      const { pipelineFor, runSummary } = await import("../compose.ts");
      const run = await pipelineFor(core, stages, context).run({
        trigger: "schedule",
        input: { kind: "none" },
      });
      return runSummary(run);
    },
  });

export const handler = makeHandler();
