import type { CommandModule } from "../context.ts";
import { pending } from "./pending.ts";

export const registerPredict: CommandModule = (program) => {
  pending(
    program
      .command("predict")
      .description("Score curated bookings with the latest model into predictions/")
      .option("--json", "print one JSON summary object"),
    6,
  );
};
