import type { CommandModule } from "../context.ts";
import { pending } from "./pending.ts";

export const registerCrawl: CommandModule = (program) => {
  pending(
    program
      .command("crawl")
      .description("Catalog the lake: register new partitions, report schema drift")
      .option("--json", "print one JSON summary object"),
    4,
  );
};
