import type { EtlSummary } from "@hotels/etl";
import type { CommandModule } from "../context.ts";
import { emit, table, UserError } from "../output.ts";

interface EtlOpts {
  readonly full?: boolean;
  readonly job?: string[];
  readonly json?: boolean;
  readonly crawl?: boolean;
  readonly compact?: boolean;
  readonly compactFraction?: string;
}

export const registerEtl: CommandModule = (program, ctx) => {
  program
    .command("etl")
    .description("Run the ETL jobs: extract from the source, transform, load curated tables, then crawl")
    .option("--full", "full refresh: extract everything and rebuild processed and curated tables")
    .option(
      "--job <name...>",
      "only these jobs: a step (extract|transform|load), a job (load.bookings) or a table",
    )
    .option(
      "--compact",
      "fold the merge-on-read deltas of the tables the jobs maintain into their base files, even when nothing changed",
    )
    .option(
      "--compact-fraction <f>",
      "compact a table when its delta would exceed this fraction of its base rows (default 0.1)",
    )
    .option("--no-crawl", "do not crawl the catalog after the load")
    .option("--json", "print one JSON summary object")
    .action(async (opts: EtlOpts) => {
      const rt = ctx.runtime();
      try {
        const { runEtl, selectJobs } = await import("@hotels/etl");
        try {
          selectJobs(opts.job);
        } catch (e) {
          throw new UserError((e as Error).message);
        }
        if (rt.config.runtime === "aws")
          throw new UserError(
            "on AWS the ETL runs as the Glue job generated from the same definitions (packages/etl/glue/glue_etl.py), deployed by infra and started by the pipeline",
          );
        const verbose = rt.config.verbose && !opts.json;
        const fraction = opts.compactFraction === undefined ? undefined : Number(opts.compactFraction);
        if (fraction !== undefined && !(fraction >= 0))
          throw new UserError(`--compact-fraction must be a number ≥ 0, got ${opts.compactFraction}`);
        const summary = await runEtl(
          { source: await rt.source(), store: rt.store(), layout: rt.layout(), catalog: rt.catalog() },
          {
            full: opts.full ?? false,
            compact: opts.compact ?? false,
            ...(fraction !== undefined ? { compactFraction: fraction } : {}),
            ...(opts.job ? { jobs: opts.job } : {}),
            crawl: opts.crawl !== false,
            onProgress: (p) => {
              if (verbose && p.phase === "start") process.stderr.write(`… ${p.job}\n`);
            },
          },
        );
        emit(opts, summary, () => renderEtl(summary));
        if (summary.balance.some((b) => !b.balanced)) process.exitCode = 1;
      } finally {
        await rt.close();
      }
    });
};

function renderEtl(s: EtlSummary): string {
  const out = [
    table(
      s.steps.map((x) => ({
        job: x.job,
        table: x.table,
        "rows in": x.rowsIn,
        "rows out": x.rowsOut,
        rejected: x.rejected,
        files: x.files,
        MB: Math.round((x.bytes / 1e6) * 100) / 100,
        seconds: Math.round(x.seconds * 100) / 100,
        note: x.skipped ?? x.operation ?? "",
      })),
    ),
  ];
  if (s.balance.length)
    out.push(
      "",
      ...s.balance.map(
        (b) =>
          `${b.table}: extracted ${b.extracted} = processed ${b.processed} + rejected ${b.rejected}${b.superseded ? ` + superseded ${b.superseded}` : ""} ${b.balanced ? "✓" : "✗ UNBALANCED"}`,
      ),
    );
  if (s.crawl)
    out.push(
      "",
      `crawled ${s.crawl.tables.length} table(s), ${s.crawl.partitionsAdded} partition(s) added${s.crawl.drift.length ? `, ${s.crawl.drift.length} drift finding(s) (see hotels crawl)` : ""}`,
    );
  out.push("", `run ${s.runId}${s.full ? " (full)" : ""} in ${s.seconds.toFixed(2)} s`);
  return out.join("\n");
}
