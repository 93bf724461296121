import type { CommandModule } from "../context.ts";
import { pending } from "./pending.ts";

export const registerEtl: CommandModule = (program) => {
  pending(
    program
      .command("etl")
      .description("Run the ETL jobs: extract from the source, transform, load curated tables")
      .option("--json", "print one JSON summary object"),
    4,
  );
};
