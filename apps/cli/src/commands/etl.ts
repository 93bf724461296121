import type { EtlSummary, GlueEtlRun, GlueEtlStart, StartGlueEtlOptions } from "@hotels/etl";
import type { Config } from "../config.ts";
import type { CommandModule } from "../context.ts";
import { emit, table, UserError } from "../output.ts";

export interface EtlOpts {
  readonly full?: boolean;
  readonly job?: string[];
  readonly json?: boolean;
  /** false with --no-crawl (local only: the Glue job never crawls). */
  readonly crawl?: boolean;
  /** Local only (the Glue job writes no deltas). */
  readonly compact?: boolean;
  /** Local only. */
  readonly compactFraction?: string;
  /** AWS only: wait for the Glue run to end. */
  readonly wait?: boolean;
}

export const registerEtl: CommandModule = (program, ctx) => {
  program
    .command("etl")
    .description(
      "Run the ETL jobs (extract from the source, transform, load curated tables, then crawl); with " +
        "--runtime aws, start the Glue job <prefix>-<env>-etl instead (and --wait for it)",
    )
    .option("--full", "full refresh: extract everything and rebuild processed and curated tables")
    .option(
      "--job <name...>",
      "only these jobs: a step (extract|transform|load), a job (load.bookings) or a table",
    )
    .option(
      "--compact",
      "local: fold the merge-on-read deltas of the tables the jobs maintain into their base files, even when nothing changed",
    )
    .option(
      "--compact-fraction <f>",
      "local: compact a table when its delta would exceed this fraction of its base rows (default 0.25)",
    )
    .option("--no-crawl", "local: do not crawl the catalog after the load (the Glue job never crawls)")
    .option(
      "--wait",
      "aws: wait for the Glue job run to end (GetJobRun every 15 s), print its state and time",
    )
    .option("--json", "print one JSON summary object")
    .action(async (opts: EtlOpts) => {
      const config = ctx.config();
      if (config.runtime === "aws") {
        const progress = opts.json ? undefined : (line: string) => process.stderr.write(`${line}\n`);
        const summary = await etlOnAws(config, opts, progress ? { progress } : {});
        emit(opts, summary, () => renderGlueEtl(summary));
        return;
      }
      const rt = ctx.runtime();
      try {
        const { runEtl, selectJobs } = await import("@hotels/etl");
        try {
          selectJobs(opts.job);
        } catch (e) {
          throw new UserError((e as Error).message);
        }
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
            // the command exits once it has printed the summary
            releaseEngine: "exit",
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

/** What `hotels etl --runtime aws` prints (--json: this object). `state` and the times only with --wait. */
export interface GlueEtlSummary {
  readonly runtime: "aws";
  readonly jobName: string;
  readonly jobRunId: string;
  /** The `--run_id` argument of the run. */
  readonly runId: string;
  readonly arguments: GlueEtlStart["arguments"];
  readonly state?: GlueEtlRun["state"];
  readonly executionSeconds?: number;
  readonly dpuSeconds?: number;
}

export interface EtlOnAwsIo {
  /** The Glue client. Default: one for `config.aws.region` (tests pass a fake). */
  readonly client?: StartGlueEtlOptions["client"];
  /** GetJobRun interval with --wait. Default 15 000 ms. */
  readonly intervalMs?: number;
  /** Progress lines while waiting (the start, then each state change). Default: none. */
  readonly progress?: (line: string) => void;
}

/** `hotels etl --runtime aws`: starts the Glue job infra deploys (`<prefix>-<env>-etl`) with the same job
 * selection as locally, and with --wait polls it to its end. Every refusal is a UserError raised before
 * anything is started. Exported so tests drive it without the command line. */
export async function etlOnAws(config: Config, opts: EtlOpts, io: EtlOnAwsIo = {}): Promise<GlueEtlSummary> {
  if (opts.compact || opts.compactFraction !== undefined)
    throw new UserError(
      "--compact and --compact-fraction are local only: the Glue job stays copy-on-write and leaves no deltas to compact",
    );
  const etl = await import("@hotels/etl");
  try {
    etl.selectJobs(opts.job);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const aws = {
    ...(io.client ? { client: io.client } : {}),
    region: config.aws.region,
  };
  const jobName = etl.glueEtlJobName(config.aws);
  try {
    const started = await etl.startGlueEtl({
      ...aws,
      jobName,
      full: opts.full ?? false,
      ...(opts.job ? { jobs: opts.job } : {}),
    });
    const summary: GlueEtlSummary = { runtime: "aws", ...started };
    if (!opts.wait) return summary;
    io.progress?.(`started Glue job ${jobName} run ${started.jobRunId}; waiting for it to end`);
    const run = await etl.waitForGlueEtl({
      ...aws,
      jobName,
      jobRunId: started.jobRunId,
      ...(io.intervalMs !== undefined ? { intervalMs: io.intervalMs } : {}),
      onState: (state) => io.progress?.(`… ${state}`),
    });
    return {
      ...summary,
      state: run.state,
      ...(run.executionSeconds !== undefined ? { executionSeconds: run.executionSeconds } : {}),
      ...(run.dpuSeconds !== undefined ? { dpuSeconds: run.dpuSeconds } : {}),
    };
  } catch (e) {
    if (
      e instanceof etl.GlueEtlRunInProgressError ||
      e instanceof etl.GlueEtlJobNotFoundError ||
      e instanceof etl.GlueEtlRunFailedError
    )
      throw new UserError(e.message);
    throw e;
  }
}

export function renderGlueEtl(s: GlueEtlSummary): string {
  const args = Object.entries(s.arguments)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  if (!s.state)
    return [
      `started Glue job ${s.jobName} run ${s.jobRunId} (${args})`,
      `follow it: aws glue get-job-run --job-name ${s.jobName} --run-id ${s.jobRunId}`,
    ].join("\n");
  const time = s.executionSeconds !== undefined ? ` in ${s.executionSeconds} s` : "";
  const dpu = s.dpuSeconds !== undefined ? ` (${s.dpuSeconds} DPU-s)` : "";
  return `Glue job ${s.jobName} run ${s.jobRunId} ${s.state}${time}${dpu} (${args})`;
}

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
      `crawled ${s.crawl.tables.length} table(s), ${s.crawl.partitionsAdded} partition(s) added, ${s.crawl.partitionsRemoved} removed${s.crawl.drift.length ? `, ${s.crawl.drift.length} drift finding(s) (see hotels crawl)` : ""}`,
    );
  out.push("", `run ${s.runId}${s.full ? " (full)" : ""} in ${s.seconds.toFixed(2)} s`);
  return out.join("\n");
}
