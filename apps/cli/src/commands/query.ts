import type { CommandModule } from "../context.ts";
import { pending } from "./pending.ts";

export const registerQuery: CommandModule = (program) => {
  pending(
    program
      .command("query")
      .description("Run SQL over the catalogued lake, or a named query")
      .option("--json", "print one JSON summary object"),
    5,
  );
};
