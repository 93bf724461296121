import type { CommandModule } from "../context.ts";
import { pending } from "./pending.ts";

export const registerPipeline: CommandModule = (program) => {
  pending(
    program
      .command("pipeline")
      .description("Run the whole pipeline (pipeline run|status|watch)")
      .option("--json", "print one JSON summary object"),
    7,
  );
};
