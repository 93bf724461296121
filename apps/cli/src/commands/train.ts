import type { CommandModule } from "../context.ts";
import { pending } from "./pending.ts";

export const registerTrain: CommandModule = (program) => {
  pending(
    program
      .command("train")
      .description("Train the booking-cancellation model and register it")
      .option("--json", "print one JSON summary object"),
    6,
  );
};
