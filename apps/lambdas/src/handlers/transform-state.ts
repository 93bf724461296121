import { awsCore } from "../aws.ts";
import { lazy, pipelineFor, runSummary } from "../compose.ts";
import { readEnv } from "../env.ts";
import { TransformJobStateChange } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { predictFinishStage } from "../stages/finish-only.ts";
import { transformRef } from "../stages/refs.ts";

/** The AWS composition from the environment (tests pass their own). */
export const defaultDeps = () => {
  const env = readEnv();
  const core = awsCore(env);
  return { core, stages: { predict: predictFinishStage(core.layout) } };
};

/** SageMaker Transform Job State Change → finishes the predict step (PredictionsWritten); the run ends. */
export const makeHandler = (deps: () => ReturnType<typeof defaultDeps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "transform-state",
    schema: TransformJobStateChange,
    async handle(event, context) {
      const d = event.detail;
      if (d.TransformJobStatus === "InProgress" || d.TransformJobStatus === "Stopping")
        return { ignored: true, reason: `transform job ${d.TransformJobStatus}` };
      const { core, stages } = deps();
      const run = await pipelineFor(core, stages, context).complete(transformRef(d.TransformJobName), {
        ok: d.TransformJobStatus === "Completed",
        error: `transform job ${d.TransformJobName} ${d.TransformJobStatus}: ${d.FailureReason ?? ""}`,
      });
      return run
        ? runSummary(run)
        : { ignored: true, reason: `${d.TransformJobName} is not a pipeline step` };
    },
  });

export const handler = makeHandler();
