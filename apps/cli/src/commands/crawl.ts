import { type CrawlReport, crawl } from "@hotels/lake";
import type { CommandModule } from "../context.ts";
import { emit, table, UserError } from "../output.ts";

interface CrawlOpts {
  readonly json?: boolean;
  readonly table?: string[];
  readonly failOnDrift?: boolean;
}

/** Exit code of `crawl --fail-on-drift` when drift was found (the catalog is still updated). */
export const DRIFT_EXIT_CODE = 3;

export const registerCrawl: CommandModule = (program, ctx) => {
  program
    .command("crawl")
    .description(
      "Catalog the lake: publish symlink manifests (what Athena reads), register new partitions, report schema drift",
    )
    .option("--table <zone.table...>", "only these tables (default: every table with a committed snapshot)")
    .option("--fail-on-drift", `exit ${DRIFT_EXIT_CODE} when schema drift is found`)
    .option("--json", "print one JSON summary object")
    .action(async (opts: CrawlOpts) => {
      const rt = ctx.runtime();
      try {
        let report: CrawlReport;
        try {
          report = await crawl({
            store: rt.store(),
            layout: rt.layout(),
            catalog: rt.catalog(),
            tables: opts.table,
          });
        } catch (e) {
          if (e instanceof Error && /^crawl: no lake table/.test(e.message)) throw new UserError(e.message);
          throw e;
        }
        emit(opts, report, () => renderCrawl(report));
        if (opts.failOnDrift && report.drift.length > 0) process.exitCode = DRIFT_EXIT_CODE;
      } finally {
        await rt.close();
      }
    });
};

function renderCrawl(r: CrawlReport): string {
  if (r.tables.length === 0)
    return "nothing to crawl: no table has a committed snapshot yet (run `hotels etl`)";
  const out = [
    table(
      r.tables.map((t) => ({
        table: t.table,
        version: t.version,
        rows: t.rows,
        files: t.files,
        definition: t.action,
        "partitions+": t.partitionsAdded,
        "partitions~": t.partitionsUpdated,
        "partitions-": t.partitionsRemoved,
        partitions: t.partitions,
        stale: t.stalePartitions,
        withheld: t.skippedPartitions.length,
        manifests: t.manifests.written,
      })),
    ),
    "",
    `${r.partitionsAdded} partition(s) added, ${r.partitionsUpdated} re-pointed, ${r.partitionsRemoved} removed; ${r.manifestsWritten} manifest(s) written in ${r.seconds.toFixed(2)} s${r.waitedForLockMs > 100 ? ` (waited ${(r.waitedForLockMs / 1000).toFixed(1)} s for another crawl)` : ""}`,
  ];
  if (r.drift.length > 0) {
    out.push(
      "",
      `schema drift (${r.drift.length}): the catalog keeps the schema's types; drifted partitions are withheld`,
    );
    out.push(
      table(
        r.drift.map((d) => ({
          table: d.table,
          column: d.column,
          kind: d.kind,
          expected: d.expected ?? "",
          found: d.found ?? "",
          in:
            d.source === "catalog"
              ? "catalog"
              : `${d.files.length} file(s): ${d.files.slice(0, 2).join(", ")}${d.files.length > 2 ? ", …" : ""}`,
        })),
      ),
    );
  }
  for (const t of r.tables)
    for (const s of t.skippedPartitions)
      out.push(`withheld ${t.table} [${s.values.join(", ")}]: ${s.reason}`);
  return out.join("\n");
}
