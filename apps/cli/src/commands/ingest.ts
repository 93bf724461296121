import path from "node:path";
import type { IngestFormat, IngestProgress, IngestSummary, IngestTableName } from "@hotels/source";
import { Presets, SingleBar } from "cli-progress";
import { InvalidArgumentError } from "commander";
import type { CommandModule } from "../context.ts";
import { emit, table, UserError } from "../output.ts";

/** The real data set, ingested when neither a file nor `--generate` is given. */
export const DEFAULT_INPUT = path.join("data", "hotel_bookings.csv.gz");

interface IngestOpts {
  readonly generate?: number;
  readonly seed?: number;
  readonly updates?: boolean;
  readonly format?: IngestFormat;
  readonly table?: IngestTableName;
  readonly batch?: number;
  readonly json?: boolean;
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v.replaceAll("_", ""));
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number ≥ 0`);
  return n;
};

/** Rows, rows/s and rejects on a TTY (stderr); nothing otherwise. */
function progress(): { onProgress?: (p: IngestProgress) => void; stop(): void } {
  if (!process.stderr.isTTY) return { stop() {} };
  const bar = new SingleBar(
    {
      format: "ingest | {read} rows | {rate} rows/s | {rejected} rejected",
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(0, 0, { read: 0, rate: 0, rejected: 0 });
  return {
    onProgress: (p) =>
      bar.update(0, {
        read: p.read.toLocaleString("en"),
        rate: Math.round(p.read / Math.max(p.seconds, 1e-3)).toLocaleString("en"),
        rejected: p.rejected.toLocaleString("en"),
      }),
    stop: () => bar.stop(),
  };
}

function render(s: IngestSummary): string {
  const rows = Object.entries(s.byTable).map(([name, c]) => ({ table: name, ...c }));
  rows.push({ table: "total", ...s, source: undefined } as never);
  const lines = [
    `ingested ${s.source} (${s.format}) in ${s.seconds.toFixed(1)} s, ${Math.round(s.rowsPerSecond).toLocaleString("en")} rows/s`,
    table(rows, ["table", "read", "loaded", "rejected", "inserted", "updated", "unchanged"]),
  ];
  if (s.rejected > 0) lines.push(`${s.rejected} record(s) quarantined: see table ingest_rejects`);
  return lines.join("\n");
}

export const registerIngest: CommandModule = (program, ctx) => {
  program
    .command("ingest")
    .description("Ingest bookings (CSV or NDJSON, gzip or plain) or generated data into the source database")
    .argument("[file]", `input file, or - for stdin (default ${DEFAULT_INPUT})`)
    .option(
      "--generate <n>",
      "generate N Hotels.com-like bookings instead of reading a file",
      positiveInt("--generate"),
    )
    .option("--seed <s>", "generator seed (default 1)", positiveInt("--seed"))
    .option(
      "--updates",
      "with --generate: only the later updates (modifications, cancellations) of those bookings",
    )
    .option("--format <format>", "csv or ndjson (default: from the file name, else sniffed)")
    .option("--table <table>", "table of plain records (default: from the CSV header or NDJSON envelopes)")
    .option("--batch <n>", "records per batch, one transaction each (default 10000)", positiveInt("--batch"))
    .option("--json", "print one JSON summary object")
    .action(async (file: string | undefined, opts: IngestOpts) => {
      if (opts.generate !== undefined && file !== undefined)
        throw new UserError("give either a file or --generate N, not both");
      if (opts.format && opts.format !== "csv" && opts.format !== "ndjson")
        throw new UserError(`--format must be csv or ndjson, not ${JSON.stringify(opts.format)}`);
      const { IngestFormatError, ingest, ingestGenerated } = await import("@hotels/source");
      const rt = ctx.runtime();
      const bar = progress();
      try {
        const source = await rt.source();
        const common = { batchRows: opts.batch, onProgress: bar.onProgress };
        let summary: IngestSummary;
        try {
          summary =
            opts.generate !== undefined
              ? await ingestGenerated(
                  source,
                  { bookings: opts.generate, seed: opts.seed, updates: opts.updates },
                  common,
                )
              : await ingest(source, file ?? DEFAULT_INPUT, {
                  ...common,
                  format: opts.format,
                  table: opts.table,
                });
        } finally {
          bar.stop();
        }
        emit(opts, summary, () => render(summary));
      } catch (e) {
        if (e instanceof IngestFormatError) throw new UserError(e.message);
        const err = e as NodeJS.ErrnoException;
        if (err.code === "ENOENT") throw new UserError(`${err.path ?? file}: no such file`);
        if (e instanceof Error && /^unknown table/.test(e.message)) throw new UserError(e.message);
        throw e;
      } finally {
        await rt.close();
      }
    });
};
