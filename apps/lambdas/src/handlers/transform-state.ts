import type { Deps } from "../compose/transform-state.ts";
import { TransformJobStateChange } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { lazy } from "../lazy.ts";
import { transformRef } from "../stages/refs.ts";

/** The AWS composition (SDK clients, pipeline, stages), imported on the first event this function
 * accepts so that its cold import stays small; tests pass their own. */
export const defaultDeps = async (): Promise<Deps> =>
  (await import("../compose/transform-state.ts")).compose();

/** SageMaker Transform Job State Change → finishes the predict step: Athena turns the transform output into
 * predictions.booking_cancellations, PredictionsWritten with its rows; the run ends. */
export const makeHandler = (deps: () => Deps | Promise<Deps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "transform-state",
    schema: TransformJobStateChange,
    async handle(event, context) {
      const d = event.detail;
      if (d.TransformJobStatus === "InProgress" || d.TransformJobStatus === "Stopping")
        return { ignored: true, reason: `transform job ${d.TransformJobStatus}` };
      const { core, stages } = await deps();
      const { pipelineFor, runSummary } = await import("../compose.ts");
      const run = await pipelineFor(core, stages, context).complete(transformRef(d.TransformJobName), {
        ok: d.TransformJobStatus === "Completed",
        error: `transform job ${d.TransformJobName} ${d.TransformJobStatus}: ${d.FailureReason ?? ""}`,
        // When the rows were scored (`scored_at`).
        details: { endTime: d.TransformEndTime ?? Date.parse(event.time) },
      });
      return run
        ? runSummary(run)
        : { ignored: true, reason: `${d.TransformJobName} is not a pipeline step` };
    },
  });

export const handler = makeHandler();
