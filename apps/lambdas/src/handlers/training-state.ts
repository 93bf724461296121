import type { Deps } from "../compose/training-state.ts";
import { TrainingJobStateChange } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { lazy } from "../lazy.ts";
import { trainingRef } from "../stages/refs.ts";

/** The AWS composition (SDK clients, pipeline, stages), imported on the first event this function
 * accepts so that its cold import stays small; tests pass their own. */
export const defaultDeps = async (): Promise<Deps> =>
  (await import("../compose/training-state.ts")).compose();

/** SageMaker Training Job State Change → registers the model (ModelRegistered), then starts batch
 * scoring (a transform job). `InProgress`/`Stopping` are acknowledged. */
export const makeHandler = (deps: () => Deps | Promise<Deps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "training-state",
    schema: TrainingJobStateChange,
    async handle(event, context) {
      const d = event.detail;
      if (d.TrainingJobStatus === "InProgress" || d.TrainingJobStatus === "Stopping")
        return { ignored: true, reason: `training job ${d.TrainingJobStatus}` };
      const { core, stages } = await deps();
      const { pipelineFor, runSummary } = await import("../compose.ts");
      const auc = d.FinalMetricDataList?.find((m) => m.MetricName === "validation:auc")?.Value;
      const run = await pipelineFor(core, stages, context).complete(trainingRef(d.TrainingJobName), {
        ok: d.TrainingJobStatus === "Completed",
        error: `training job ${d.TrainingJobName} ${d.TrainingJobStatus}: ${d.FailureReason ?? ""}`,
        details: {
          modelArtifacts: d.ModelArtifacts?.S3ModelArtifacts,
          ...(auc !== undefined ? { validationAuc: auc } : {}),
        },
      });
      return run ? runSummary(run) : { ignored: true, reason: `${d.TrainingJobName} is not a pipeline step` };
    },
  });

export const handler = makeHandler();
