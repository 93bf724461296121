import { Pipeline, type Stages } from "@hotels/pipeline";
import type { Context } from "aws-lambda";
import type { AwsCore } from "./aws.ts";
import { logSteps } from "./aws.ts";

/** Loaded on the first event a handler accepts (with the AWS SDK): see handlers/*.ts. */

/** The pipeline a handler drives: the AWS stages it wires, the run log on S3, Powertools logging. */
export function pipelineFor(core: AwsCore, stages: Stages, context?: Context): Pipeline {
  return new Pipeline({
    stages,
    log: core.runLog,
    trainPolicy: { minNewRows: core.env.MIN_NEW_ROWS },
    ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
    ...logSteps,
  });
}

/** What a pipeline handler answers: the run and where it stands. */
export function runSummary(run: {
  runId: string;
  status: string;
  steps: { name: string; status: string }[];
}) {
  return {
    runId: run.runId,
    status: run.status,
    steps: Object.fromEntries(run.steps.map((s) => [s.name, s.status])),
  };
}
