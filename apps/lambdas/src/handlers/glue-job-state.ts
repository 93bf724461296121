import type { Deps } from "../compose/glue-job-state.ts";
import { GlueJobStateChange } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { lazy } from "../lazy.ts";
import { glueJobRef } from "../stages/refs.ts";

/** The AWS composition (SDK clients, pipeline, stages), imported on the first event this function
 * accepts so that its cold import stays small; tests pass their own. */
export const defaultDeps = async (): Promise<Deps> =>
  (await import("../compose/glue-job-state.ts")).compose();

/** Glue Job State Change → finishes the ETL step (LakeUpdated from the committed snapshots) and starts
 * the crawler; a job run this pipeline did not start is acknowledged and ignored. */
export const makeHandler = (deps: () => Deps | Promise<Deps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "glue-job-state",
    schema: GlueJobStateChange,
    async handle(event, context) {
      const { core, stages } = await deps();
      const { pipelineFor, runSummary } = await import("../compose.ts");
      const d = event.detail;
      const run = await pipelineFor(core, stages, context).complete(glueJobRef(d.jobRunId), {
        ok: d.state === "SUCCEEDED",
        error: `Glue job ${d.jobName} run ${d.jobRunId} ${d.state}${d.message ? `: ${d.message}` : ""}`,
      });
      return run
        ? runSummary(run)
        : { ignored: true, reason: `job run ${d.jobRunId} is not a pipeline step` };
    },
  });

export const handler = makeHandler();
