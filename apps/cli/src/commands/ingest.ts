import type { CommandModule } from "../context.ts";
import { pending } from "./pending.ts";

export const registerIngest: CommandModule = (program) => {
  pending(
    program
      .command("ingest")
      .description(
        "Ingest bookings (CSV or NDJSON, gzip or plain) or generated data into the source database",
      )
      .option("--json", "print one JSON summary object"),
    3,
  );
};
