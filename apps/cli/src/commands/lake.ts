import type { CommandModule } from "../context.ts";
import { pending } from "./pending.ts";

export const registerLake: CommandModule = (program) => {
  pending(
    program
      .command("lake")
      .description("Inspect the data lake (lake ls [zone])")
      .option("--json", "print one JSON summary object"),
    4,
  );
};
