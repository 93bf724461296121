import type { CommandModule } from "../context.ts";
import { pending } from "./pending.ts";

export const registerModels: CommandModule = (program) => {
  pending(
    program
      .command("models")
      .description("List and show registered models (models ls|show)")
      .option("--json", "print one JSON summary object"),
    6,
  );
};
