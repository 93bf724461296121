import { rawTables, sourceTables, type TableDef } from "@hotels/schema";
import type { ExtractJob } from "./types.ts";

const byName = (tables: readonly TableDef[], name: string): TableDef => {
  const t = tables.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
};

/** One extract job per mirrored source table, in foreign-key order. */
export const extractJobs: readonly ExtractJob[] = rawTables.map((raw) => ({
  kind: "extract",
  name: `extract.${raw.name}`,
  source: byName(sourceTables, raw.name),
  target: raw,
  versionColumn: raw.versionColumn ?? "updated_at",
}));
