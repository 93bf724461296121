import { type GenerateOptions, generate } from "../generate.ts";
import type { SqlSource } from "../port.ts";
import { type IngestOptions, type IngestSummary, ingestItems, recordItems } from "./ingest.ts";

/** Generates `options.bookings` bookings (with hotels, customers, reviews and updates) and ingests them
 * through the same validation and upsert as files. */
export function ingestGenerated(
  source: SqlSource,
  options: GenerateOptions,
  ingestOptions: Omit<IngestOptions, "format" | "table"> = {},
): Promise<IngestSummary> {
  const sourceName = ingestOptions.sourceName ?? `generate:${options.bookings}:seed=${options.seed ?? 1}`;
  return ingestItems(source, recordItems(generate(options)), { ...ingestOptions, sourceName }, "generated");
}
