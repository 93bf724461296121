import type { CommandModule } from "../context.ts";
import { registerCrawl } from "./crawl.ts";
import { registerEtl } from "./etl.ts";
import { registerIngest } from "./ingest.ts";
import { registerLake } from "./lake.ts";
import { registerModels } from "./models.ts";
import { registerPipeline } from "./pipeline.ts";
import { registerPredict } from "./predict.ts";
import { registerQuery } from "./query.ts";
import { registerTables } from "./tables.ts";
import { registerTrain } from "./train.ts";

/** Every command, in the order of the pipeline (and of `hotels --help`). */
export const commands: readonly CommandModule[] = [
  registerIngest,
  registerEtl,
  registerCrawl,
  registerLake,
  registerQuery,
  registerTables,
  registerTrain,
  registerPredict,
  registerModels,
  registerPipeline,
];
