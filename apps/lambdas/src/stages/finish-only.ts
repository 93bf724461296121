import type { EventOf, ExternalResult, Stage, StepContext, StepOutcome } from "@hotels/pipeline";
import { athenaPredictFinish, type PredictionsFinishOptions } from "./predictions.ts";

type Ctx<T extends "LakeUpdated"> = StepContext & { ref: string; trigger: EventOf<T> };

/** CatalogUpdated from a finished crawl: the tables the ETL committed, the crawler's partition count. */
export async function crawlFinish(
  result: ExternalResult,
  ctx: Ctx<"LakeUpdated">,
): Promise<StepOutcome<{ tables: EventOf<"LakeUpdated">["data"]["tables"]; partitionsAdded: number }>> {
  const n = (k: string) => Number(result.details?.[k] ?? 0) || 0;
  return {
    kind: "done",
    data: { tables: ctx.trigger.data.tables, partitionsAdded: n("partitionsCreated") },
    counts: {
      tablesCreated: n("tablesCreated"),
      tablesUpdated: n("tablesUpdated"),
      partitionsCreated: n("partitionsCreated"),
    },
  };
}

const startedElsewhere = (step: string, by: string) => async (): Promise<never> => {
  throw new Error(`${step} is started by the ${by} function, not this one`);
};

/** The crawl step as the crawler-state function sees it: it only finishes crawls. */
export const crawlFinishStage: Stage<"crawl"> = {
  run: startedElsewhere("crawl", "glue-job-state"),
  finish: crawlFinish,
};

/** The predict step as the transform-state function sees it: it only finishes transform jobs. */
export function predictFinishStage(o: PredictionsFinishOptions): Stage<"predict"> {
  return { run: startedElsewhere("predict", "training-state"), finish: athenaPredictFinish(o) };
}
