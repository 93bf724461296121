import type { CommandModule } from "../context.ts";
import { pending } from "./pending.ts";

export const registerTables: CommandModule = (program) => {
  pending(
    program
      .command("tables")
      .description("List catalogued tables with rows, partitions, bytes and last update")
      .option("--json", "print one JSON summary object"),
    5,
  );
};
