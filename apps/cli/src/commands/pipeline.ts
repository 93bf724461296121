import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { LakeLayout, ObjectStore } from "@hotels/lake";
import {
  FileLock,
  LockHeldError,
  Pipeline,
  type Progress,
  RunLog,
  type RunRecord,
  type RunRequest,
  STEP_NAMES,
  type Stages,
  type StepName,
  type StepRecord,
} from "@hotels/pipeline";
import { lakeTables } from "@hotels/schema";
import type { Command } from "commander";
import type { CliContext, CommandModule } from "../context.ts";
import { emit, table, UserError } from "../output.ts";
import { createRuntime, type Runtime } from "../runtime.ts";

/** The real data set: what `hotels pipeline run` ingests by default (the README's quick start). */
const DEFAULT_INPUT = path.join("data", "hotel_bookings.csv.gz");
const INCOMING = "incoming/";

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`${name} must be a positive integer, got ${v}`);
  return n;
};

/** The run log of a runtime: `_pipeline/` in the raw zone's bucket (locally `<home>/lake/raw/_pipeline/`,
 * on AWS the bucket the Lambda handlers write). */
export function runLogOf(rt: Runtime): RunLog {
  return new RunLog({ store: rt.store(), bucket: rt.layout().bucket("raw") });
}

/** Committed rows of every lake table (current snapshots), `<zone>.<table>` → version and rows. */
async function lakeState(store: ObjectStore, layout: LakeLayout) {
  const { TableLog } = await import("@hotels/lake");
  const log = new TableLog({ store, layout });
  const tables: Record<string, { version: number; rows: number }> = {};
  for (const t of lakeTables) {
    const snap = await log.current(t.zone as never, t.name);
    if (snap) tables[`${t.zone}.${t.name}`] = { version: snap.version, rows: snap.rows };
  }
  return tables;
}

/** The SQL source, open only while ingest and ETL use it: PGlite holds ~1 GB that train and predict never
 * touch, so ETL closes it once it has read it; a later ingest (`watch`, a resumed run) opens it again. Its own
 * runtime, so closing it leaves the caller's store, catalog and query engine open. */
export interface ScopedSource {
  open(): ReturnType<Runtime["source"]>;
  close(): Promise<void>;
}

export function scopedSource(rt: Runtime): ScopedSource {
  let scope: Runtime | undefined;
  return {
    open: () => {
      scope ??= createRuntime(rt.config);
      return scope.source();
    },
    async close() {
      const s = scope;
      scope = undefined;
      await s?.close();
    },
  };
}

/** The local stages: each stage package wired in through the runtime's ports. A package or export that is
 * missing fails its step with a clear message (never a faked success). */
export function localStages(rt: Runtime, sql: ScopedSource = scopedSource(rt)): Stages {
  const ports = async () => ({
    store: rt.store(),
    layout: rt.layout(),
    catalog: rt.catalog(),
    queryEngine: await rt.queryEngine(),
  });
  return {
    ingest: {
      inputKey(e) {
        const input = e.data.input;
        if (input.kind !== "file") return JSON.stringify(input);
        const st = statSync(input.uri, { throwIfNoEntry: false });
        // Same path, size and mtime: the same input (re-ingesting would change nothing anyway).
        return `${path.resolve(input.uri)}@${st?.size}@${st?.mtimeMs}`;
      },
      async run(e, ctx) {
        const input = e.data.input;
        if (input.kind === "none") return { kind: "done", data: { reason: "external" } };
        const src = await import("@hotels/source");
        const source = await sql.open();
        const onProgress = (p: { read: number }) => ctx.progress({ rows: p.read });
        const s =
          input.kind === "generate"
            ? await src.ingestGenerated(
                source,
                { bookings: input.bookings, seed: input.seed },
                { onProgress },
              )
            : await src.ingest(source, input.uri, { onProgress });
        const counts = {
          read: s.read,
          loaded: s.loaded,
          rejected: s.rejected,
          inserted: s.inserted,
          updated: s.updated,
          unchanged: s.unchanged,
        };
        return { kind: "done", data: { reason: "ingest", counts }, counts };
      },
    },
    etl: {
      async run(_e, ctx) {
        const { runLocalEtl } = await import("@hotels/etl");
        let rows = 0;
        const s = await runLocalEtl(
          { source: await sql.open(), store: rt.store(), layout: rt.layout() },
          {
            onProgress: (p) => {
              if (p.phase !== "done" || !p.step) return;
              rows += p.step.rowsIn;
              ctx.progress({ rows, note: p.job });
            },
          },
        ).finally(() => sql.close());
        const tables = await lakeState(rt.store(), rt.layout());
        const sum = (k: "extracted" | "processed" | "rejected") => s.balance.reduce((a, b) => a + b[k], 0);
        const unbalanced = s.balance.filter((b) => !b.balanced).map((b) => b.table);
        if (unbalanced.length > 0) throw new Error(`ETL counts do not balance for ${unbalanced.join(", ")}`);
        return {
          kind: "done",
          data: { tables },
          counts: {
            rows: s.steps.reduce((a, st) => a + st.rowsIn, 0),
            extracted: sum("extracted"),
            processed: sum("processed"),
            rejected: sum("rejected"),
            written: s.steps.filter((st) => st.version !== undefined).length,
          },
        };
      },
    },
    crawl: {
      async run(e) {
        const { crawl } = await import("@hotels/lake");
        const r = await crawl({ store: rt.store(), layout: rt.layout(), catalog: rt.catalog() });
        return {
          kind: "done",
          data: { tables: e.data.tables, partitionsAdded: r.partitionsAdded, drift: r.drift.length },
          counts: {
            tables: r.tables.length,
            partitionsAdded: r.partitionsAdded,
            partitionsRemoved: r.partitionsRemoved,
            drift: r.drift.length,
          },
          ...(r.drift.length > 0 ? { note: r.drift.map((d) => `${d.table}.${d.column}`).join(", ") } : {}),
        };
      },
    },
    queries: {
      async run(_e, ctx) {
        const { namedQueries, runNamedQuery } = await import("@hotels/query");
        const engine = (await ports()).queryEngine;
        const catalog = rt.catalog();
        const summary: Record<
          string,
          { rows: number; millis: number; first?: Record<string, unknown> } | { skipped: string }
        > = {};
        let rows = 0;
        let ran = 0;
        for (const q of namedQueries()) {
          // Queries that need a parameter without a default are for `hotels query --named`.
          if (q.params.some((p) => !p.optional)) continue;
          // A query over a table not catalogued yet (predictions before the first model) waits for a later run.
          const missing: string[] = [];
          for (const [, zone, name] of q.sql.matchAll(
            /\b(raw|processed|curated|predictions|rejected)\.([a-z_]+)\b/g,
          ))
            if (!(await catalog.getTable(zone!, name!))) missing.push(`${zone}.${name}`);
          if (missing.length > 0) {
            summary[q.name] = { skipped: `${[...new Set(missing)].join(", ")} not catalogued yet` };
            continue;
          }
          const r = await runNamedQuery(engine, q.name);
          rows += r.rows.length;
          ran++;
          ctx.progress({ rows, note: q.name });
          summary[q.name] = {
            rows: r.rows.length,
            millis: Math.round(r.stats?.millis ?? 0),
            ...(r.rows[0] ? { first: JSON.parse(JSON.stringify(r.rows[0])) } : {}),
          };
        }
        return {
          kind: "done",
          data: summary,
          counts: { queries: ran, skipped: Object.keys(summary).length - ran, rows },
        };
      },
    },
    train: {
      reuseAcrossRuns: true,
      inputKey: (e) => `curated.bookings@${e.data.tables["curated.bookings"]?.version ?? 0}`,
      async run(_e, ctx) {
        const { trainFromLake } = await import("@hotels/ml");
        const p = await ports();
        const r = await trainFromLake(p, {
          onRound: (i) => ctx.progress({ rows: i.round, total: i.numRound, note: `round ${i.round}` }),
        });
        const auc = r.metrics.test?.auc;
        return {
          kind: "done",
          data: {
            model: r.registered.name,
            version: r.registered.version,
            promoted: r.registered.promoted,
            metrics: (auc === undefined ? {} : { auc }) as Record<string, number>,
            reportUri: p.layout.uri("models", `${r.registered.prefix}report.html`),
          },
          counts: { rows: r.rows.all, train: r.rows.train, validation: r.rows.validation, test: r.rows.test },
          note: r.registered.reason,
        };
      },
    },
    predict: {
      reuseAcrossRuns: true,
      inputKey: (e) => `${e.data.model}@${e.data.version}`,
      async run(e, ctx) {
        const { predictToLake } = await import("@hotels/ml");
        const r = await predictToLake(await ports(), { name: e.data.model, version: e.data.version });
        ctx.progress({ rows: r.rows });
        return {
          kind: "done",
          data: {
            table: r.table,
            version: r.snapshotVersion,
            rows: r.rows,
            model: `${r.model.name}/${r.model.version}`,
          },
          counts: { rows: r.rows, files: r.files, predictedPositive: r.predictedPositive },
        };
      },
    },
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString("en");
const countsText = (c: Readonly<Record<string, number>>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(", ");

/** One live line per stage on a TTY (rows, rows/s, elapsed); a line per finished stage otherwise. */
function liveOutput(enabled: boolean) {
  const tty = enabled && process.stderr.isTTY;
  let current: string | undefined;
  let lastDraw = 0;
  const write = (s: string, done: boolean) => {
    if (!enabled) return;
    if (tty) process.stderr.write(`\r\x1b[2K${s}${done ? "\n" : ""}`);
    else if (done) process.stderr.write(`${s}\n`);
  };
  return {
    onStep(step: StepRecord) {
      const name = step.name.padEnd(8);
      if (step.status === "running") {
        current = step.name;
        write(`▸ ${name} …`, false);
        return;
      }
      const mark =
        { succeeded: "✓", reused: "↺", skipped: "·", failed: "✗", pending: "…" }[step.status] ?? " ";
      const secs = step.seconds !== undefined ? ` in ${step.seconds.toFixed(1)} s` : "";
      const detail =
        step.status === "failed"
          ? step.error?.message
          : [countsText(step.counts), step.note].filter((x) => x).join(" — ");
      write(`${mark} ${name} ${step.status}${secs}${detail ? `: ${detail}` : ""}`, true);
      current = undefined;
    },
    onProgress(step: StepName, p: Progress, elapsed: number) {
      if (!tty || current !== step) return;
      // At most ~10 redraws a second (a training round or an ETL job can be much faster).
      const now = Date.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      const rows = p.rows ?? 0;
      const total = p.total ? `/${fmt(p.total)}` : "";
      const rate = elapsed > 0 ? `, ${fmt(rows / elapsed)}/s` : "";
      write(
        `▸ ${step.padEnd(8)} ${fmt(rows)}${total}${rate}, ${elapsed.toFixed(1)} s${p.note ? ` (${p.note})` : ""}`,
        false,
      );
    },
  };
}

/** The run's summary: rows per zone, rejects, model, report, predictions. */
async function runSummary(rt: Runtime, run: RunRecord) {
  const tables: Record<string, { version: number; rows: number }> = await lakeState(
    rt.store(),
    rt.layout(),
  ).catch(() => ({}));
  const zones: Record<string, number> = {};
  for (const [name, t] of Object.entries(tables)) {
    const zone = name.split(".")[0]!;
    zones[zone] = (zones[zone] ?? 0) + t.rows;
  }
  const step = (n: StepName) => run.steps.find((s) => s.name === n);
  const train = step("train")?.output as
    | { model?: string; version?: string; metrics?: { auc?: number }; reportUri?: string }
    | undefined;
  const seconds = (Date.parse(run.endedAt ?? new Date().toISOString()) - Date.parse(run.startedAt)) / 1000;
  return {
    runId: run.runId,
    status: run.status,
    ...(run.error ? { error: run.error } : {}),
    seconds,
    steps: run.steps.map((s) => ({
      step: s.name,
      status: s.status,
      attempt: s.attempt,
      seconds: s.seconds,
      counts: s.counts,
      ...(s.note ? { note: s.note } : {}),
      ...(s.error ? { error: s.error.message } : {}),
    })),
    zones,
    tables,
    rejects: {
      ingest: step("ingest")?.counts.rejected ?? 0,
      etl: tables["rejected.etl_rejects"]?.rows ?? 0,
    },
    model: train?.model ? { name: train.model, version: train.version, auc: train.metrics?.auc } : undefined,
    report: train?.reportUri?.replace(/^file:\/\//, ""),
    predictions: tables["predictions.booking_cancellations"]?.rows ?? 0,
    queries: step("queries")?.output,
  };
}

/** The named queries' summary: rows, time and the first row of each, one line per query. */
function queriesTable(queries: unknown): string[] {
  if (!queries || typeof queries !== "object") return [];
  const rows = Object.entries(queries as Record<string, Record<string, unknown>>).map(([name, q]) => ({
    query: name,
    rows: typeof q.rows === "number" ? q.rows : undefined,
    ms: typeof q.millis === "number" ? q.millis : undefined,
    "first row": (q.skipped
      ? `skipped: ${q.skipped}`
      : Object.entries((q.first as Record<string, unknown>) ?? {})
          .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(3) : String(v)}`)
          .join(" ")
    ).slice(0, 90),
  }));
  return rows.length > 0 ? ["", table(rows, ["query", "rows", "ms", "first row"])] : [];
}

function renderSummary(s: Awaited<ReturnType<typeof runSummary>>): string {
  const lines = [
    `run ${s.runId} ${s.status} in ${s.seconds.toFixed(1)} s${s.error ? ` — ${s.error}` : ""}`,
    "",
    table(
      s.steps.map((x) => ({
        step: x.step,
        status: x.status,
        attempt: x.attempt,
        seconds: x.seconds === undefined ? undefined : Number(x.seconds.toFixed(1)),
        counts: countsText(x.counts),
      })),
      ["step", "status", "attempt", "seconds", "counts"],
    ),
    "",
    table(
      Object.entries(s.zones).map(([zone, rows]) => ({ zone, rows })),
      ["zone", "rows"],
    ),
    ...queriesTable(s.queries),
    "",
    `rejects: ${fmt(s.rejects.ingest)} at ingest (table ingest_rejects), ${fmt(s.rejects.etl)} in ETL (rejected.etl_rejects)`,
  ];
  if (s.model)
    lines.push(`model: ${s.model.name} ${s.model.version}, test AUC ${s.model.auc?.toFixed(4) ?? "-"}`);
  if (s.report) lines.push(`report: ${s.report}`);
  lines.push(`predictions: ${fmt(s.predictions)} rows in predictions.booking_cancellations`);
  return lines.join("\n");
}

/** Runs one pipeline request under the lock; a second caller gets a clear message (exit 3). */
async function runLocked(
  ctx: CliContext,
  request: RunRequest,
  options: { json?: boolean; resume?: boolean },
) {
  const rt = ctx.runtime();
  const lock = new FileLock(path.join(rt.config.home, "pipeline.lock"), { purpose: "hotels pipeline run" });
  let handle: ReturnType<FileLock["acquire"]>;
  try {
    handle = lock.acquire();
  } catch (e) {
    if (e instanceof LockHeldError) throw new UserError(e.message, 3);
    throw e;
  }
  try {
    // Progress goes to stderr (live on a TTY, a line per finished step otherwise), so --json's stdout stays
    // one JSON object.
    const live = liveOutput(true);
    const sql = scopedSource(rt);
    const pipeline = new Pipeline({ stages: localStages(rt, sql), log: runLogOf(rt), ...live });
    return await pipeline.run(request, { resume: options.resume }).finally(() => sql.close());
  } finally {
    handle.release();
  }
}

interface RunOptions {
  readonly generate?: number;
  readonly seed: number;
  readonly forceTrain?: boolean;
  readonly resume: boolean;
  readonly json?: boolean;
}

function registerRun(cmd: Command, ctx: CliContext) {
  cmd
    .command("run")
    .description(
      "ingest → ETL → crawl → named queries → train → predict (resumes a failed or interrupted run)",
    )
    .argument("[file]", `input file (default ${DEFAULT_INPUT})`)
    .option("--generate <n>", "ingest N generated bookings instead of a file", positiveInt("--generate"))
    .option("--seed <s>", "generator seed", (v) => Number(v), 1)
    .option("--force-train", "train even without enough new data")
    .option("--no-resume", "start a new run even if the last one did not finish")
    .option("--json", "print one JSON summary object")
    .action(async (file: string | undefined, o: RunOptions) => {
      if (o.generate !== undefined && file !== undefined)
        throw new UserError("give either a file or --generate N, not both");
      let input: RunRequest["input"];
      if (o.generate !== undefined) input = { kind: "generate", bookings: o.generate, seed: o.seed };
      else {
        const f = file ?? DEFAULT_INPUT;
        if (!existsSync(f)) throw new UserError(`${f}: no such file`);
        input = { kind: "file", uri: path.resolve(f) };
      }
      const rt = ctx.runtime();
      const run = await runLocked(ctx, { trigger: "cli", input, forceTrain: o.forceTrain ?? false }, o);
      const summary = await runSummary(rt, run);
      emit(o, summary, () => renderSummary(summary));
      if (run.status === "failed") process.exitCode = 1;
    });
}

function registerStatus(cmd: Command, ctx: CliContext) {
  cmd
    .command("status")
    .description("show the run log: every run, and the steps of the latest (or --run ID)")
    .option("--run <id>", "the run to detail")
    .option("--json", "print one JSON object")
    .action(async (o: { run?: string; json?: boolean }) => {
      const rt = ctx.runtime();
      const log = runLogOf(rt);
      const runs = await log.list();
      const detail = o.run ? runs.find((r) => r.runId === o.run) : runs.at(-1);
      if (o.run && !detail) throw new UserError(`no run ${o.run} in the run log`);
      const fileLock = new FileLock(path.join(rt.config.home, "pipeline.lock"));
      const holder = fileLock.holder();
      const lock = holder ? { ...holder, alive: !fileLock.isStale(holder) } : undefined;
      const json = { lock, runs: runs.map(({ steps: _s, ...r }) => r), run: detail };
      emit(o, json, () => {
        if (runs.length === 0) return "no pipeline runs yet (hotels pipeline run)";
        const lines = [
          table(
            runs.map((r) => ({
              run: r.runId,
              status: r.status === "running" && !(lock?.alive ?? false) ? "interrupted" : r.status,
              trigger: r.request.trigger,
              input:
                r.request.input.kind === "file"
                  ? path.basename(r.request.input.uri)
                  : r.request.input.kind === "generate"
                    ? `generate ${r.request.input.bookings}`
                    : "-",
              started: r.startedAt,
              seconds: r.endedAt
                ? Number(((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1))
                : undefined,
              error: r.error,
            })),
            ["run", "status", "trigger", "input", "started", "seconds", "error"],
          ),
        ];
        if (detail) {
          lines.push("", `run ${detail.runId}:`);
          lines.push(
            table(
              STEP_NAMES.map(
                (n) => detail.steps.find((s) => s.name === n) ?? ({ name: n, status: "-" } as never),
              ).map((s: StepRecord) => ({
                step: s.name,
                status: s.status,
                attempt: s.attempt,
                started: s.startedAt,
                seconds: s.seconds === undefined ? undefined : Number(s.seconds.toFixed(1)),
                counts: s.counts ? countsText(s.counts) : "",
                note: s.error?.message ?? s.note ?? s.ref,
              })),
              ["step", "status", "attempt", "started", "seconds", "counts", "note"],
            ),
          );
        }
        if (lock)
          lines.push(
            "",
            `lock: pid ${lock.pid} on ${lock.host} since ${lock.startedAt} (${lock.alive ? "alive" : "stale"})`,
          );
        return lines.join("\n");
      });
    });
}

function registerWatch(cmd: Command, ctx: CliContext) {
  cmd
    .command("watch")
    .description(
      `run the pipeline for each file dropped in <home>/lake/raw/${INCOMING} (as the S3 trigger does on AWS)`,
    )
    .option("--interval <ms>", "polling interval", (v) => Number(v), 2000)
    .option("--once", "process the files present now, then exit")
    .option("--json", "print one JSON object per processed file")
    .action(async (o: { interval: number; once?: boolean; json?: boolean }) => {
      const rt = ctx.runtime();
      const store = rt.store();
      const bucket = rt.layout().bucket("raw");
      if (!store.localPath)
        throw new UserError("pipeline watch needs the local runtime (on AWS the S3 trigger does this)");
      const log = runLogOf(rt);
      const seen = new Set((await log.getState<string[]>("watch-processed")) ?? []);
      const { mkdir } = await import("node:fs/promises");
      await mkdir(store.localPath(bucket, INCOMING), { recursive: true });
      if (!o.json) process.stderr.write(`watching ${store.localPath(bucket, INCOMING)} (Ctrl-C to stop)\n`);
      let stop = false;
      process.once("SIGINT", () => {
        stop = true;
      });
      let failures = 0;
      while (!stop) {
        for await (const obj of store.list(bucket, INCOMING)) {
          // Skip folders, temp files of an atomic write in progress, and files already processed.
          const base = path.basename(obj.key);
          if (obj.key.endsWith("/") || base.startsWith(".")) continue;
          const id = `${obj.key}@${obj.size}@${obj.lastModified.getTime()}`;
          if (seen.has(id)) continue;
          const file = store.localPath(bucket, obj.key);
          if (!o.json) process.stderr.write(`\nnew file ${obj.key}\n`);
          const run = await runLocked(ctx, { trigger: "file", input: { kind: "file", uri: file } }, o);
          const summary = await runSummary(rt, run);
          emit(o, { file: obj.key, ...summary }, () => renderSummary(summary));
          // A failed file is not retried in a loop: `hotels pipeline run <file>` resumes its run.
          if (run.status === "failed") failures++;
          seen.add(id);
          await log.putState("watch-processed", [...seen]);
        }
        if (o.once) break;
        await new Promise((r) => setTimeout(r, o.interval));
      }
      if (failures > 0) process.exitCode = 1;
    });
}

export const registerPipeline: CommandModule = (program, ctx) => {
  const cmd = program.command("pipeline").description("Run the whole pipeline (pipeline run|status|watch)");
  registerRun(cmd, ctx);
  registerStatus(cmd, ctx);
  registerWatch(cmd, ctx);
};
