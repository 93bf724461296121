import type { z } from "zod";
import { type EventBus, InProcessBus } from "./bus.ts";
import {
  type Counts,
  type EventInput,
  type EventOf,
  type EventType,
  makeEvent,
  type PipelineEvent,
  type RunRequested,
} from "./events.ts";
import { type Edge, FLOW, type StepName } from "./flow.ts";
import { newRunId, type RunLog, type RunRecord, type StepRecord, stableKey, thisWorker } from "./run-log.ts";

export type RunRequest = z.input<typeof RunRequested>["data"];

/** Live progress a step reports (one line per stage in the CLI). */
export interface Progress {
  readonly rows?: number;
  readonly total?: number;
  readonly note?: string;
}

export interface StepContext {
  readonly runId: string;
  readonly step: StepName;
  readonly attempt: number;
  readonly request: RunRecord["request"];
  progress(p: Progress): void;
}

/** What a stage function answers. `pending`: the work goes on outside this process (a Glue job run, a
 * SageMaker job); the step finishes when `Pipeline.complete(ref, …)` is called with its outcome. */
export type StepOutcome<O> =
  | { readonly kind: "done"; readonly data: O; readonly counts?: Counts; readonly note?: string }
  | { readonly kind: "skipped"; readonly note: string; readonly counts?: Counts }
  | { readonly kind: "pending"; readonly ref: string; readonly note?: string };

/** The outcome of an external job, as its state-change event reports it. */
export interface ExternalResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly details?: Record<string, unknown>;
}

type In<S extends StepName> = EventOf<Edge<S>["on"]>;
type Out<S extends StepName> = Edge<S> extends { emits: infer E extends EventType } ? EventInput<E> : unknown;

/** One stage, injected: the pipeline knows no implementation. */
export interface Stage<S extends StepName> {
  run(input: In<S>, ctx: StepContext): Promise<StepOutcome<Out<S>>>;
  /** Identifies the input (snapshot versions, file digest…). Default: the triggering event's data. */
  inputKey?(input: In<S>, ctx: StepContext): string | Promise<string>;
  /** Finishes a `pending` step from its external job's outcome. */
  finish?(
    result: ExternalResult,
    ctx: StepContext & { readonly ref: string; readonly trigger: In<S> },
  ): Promise<StepOutcome<Out<S>>>;
  /** Reuse a success of ANOTHER run with the same input key (e.g. train: same snapshot, same model). A
   * step is always reused within its own run when resumed. */
  readonly reuseAcrossRuns?: boolean;
}

export type Stages = { readonly [S in StepName]?: Stage<S> };

/** When to train: on request (forced or scheduled), with no model yet, or with enough new rows. */
export interface TrainPolicy {
  /** Table whose row growth counts as new data. Default `curated.bookings`. */
  readonly table?: string;
  /** New rows since the last training that warrant a new model. Default 1000. */
  readonly minNewRows?: number;
}

export interface PipelineOptions {
  readonly stages: Stages;
  readonly log: RunLog;
  /** Default: a new in-process bus. */
  readonly bus?: EventBus;
  readonly trainPolicy?: TrainPolicy;
  /** Step transitions, for live output. */
  readonly onStep?: (step: StepRecord, run: RunRecord) => void;
  readonly onProgress?: (step: StepName, progress: Progress, elapsedSeconds: number) => void;
  /** Lambda request id recorded as the worker. */
  readonly requestId?: string;
}

/** A step failed; the run is recorded as failed and the cascade stops. */
export class StepFailedError extends Error {
  constructor(
    readonly step: StepName,
    readonly runId: string,
    override readonly cause: unknown,
  ) {
    super(`step ${step} of ${runId} failed: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

const DONE: readonly StepRecord["status"][] = ["succeeded", "skipped", "reused"];
const now = () => new Date().toISOString();

/** The event-driven pipeline: each step of `FLOW` subscribed to its event on the bus, run idempotently
 * (keyed by run id and input key), recorded in the run log (start, end, outcome, counts, error). */
export class Pipeline {
  readonly bus: EventBus;
  private run_: RunRecord | undefined;

  constructor(private readonly options: PipelineOptions) {
    this.bus = options.bus ?? new InProcessBus();
    for (const edge of FLOW) {
      this.bus.subscribe(edge.on, (event) => this.step(edge.step, event as never));
    }
  }

  get log(): RunLog {
    return this.options.log;
  }

  /** Starts a run, or resumes the latest one when it did not finish and asked for the same thing: its
   * finished steps are reused (their events re-published), the failed or interrupted step runs again. */
  async run(request: RunRequest, options: { readonly resume?: boolean } = {}): Promise<RunRecord> {
    const requested = makeEvent("RunRequested", "pending", request);
    const latest = options.resume === false ? undefined : await this.log.latest();
    const resumable =
      latest &&
      (latest.status === "failed" || latest.status === "running") &&
      stableKey(latest.request) === stableKey(requested.data);
    const run: RunRecord = resumable
      ? { ...latest, status: "running", worker: thisWorker(this.options.requestId), error: undefined }
      : {
          runId: newRunId(),
          request: requested.data,
          status: "running",
          startedAt: now(),
          worker: thisWorker(this.options.requestId),
          steps: [],
        };
    delete run.endedAt;
    this.run_ = run;
    await this.log.save(run);
    await this.dispatch(() => this.bus.publish({ ...requested, runId: run.runId }));
    return this.run_;
  }

  /** Delivers an event from outside (a Lambda trigger) to the steps that listen to it, in its run (created
   * when unknown, e.g. a SourceChanged from the ingestion function). */
  async handle(event: PipelineEvent, request?: RunRequest): Promise<RunRecord> {
    this.run_ =
      (await this.log.get(event.runId)) ??
      ({
        runId: event.runId,
        request: makeEvent(
          "RunRequested",
          event.runId,
          request ?? { trigger: "api", input: { kind: "none" } },
        ).data,
        status: "running",
        startedAt: now(),
        worker: thisWorker(this.options.requestId),
        steps: [],
      } satisfies RunRecord);
    this.run_ = { ...this.run_, status: "running", worker: thisWorker(this.options.requestId) };
    await this.log.save(this.run_);
    await this.dispatch(() => this.bus.publish(event));
    return this.run_;
  }

  /** Finishes a step that was `pending` on an external job (`ref`: Glue job run id, SageMaker job name),
   * then lets the flow go on. Unknown refs (a job this pipeline did not start) are ignored: undefined. */
  async complete(ref: string, result: ExternalResult): Promise<RunRecord | undefined> {
    const pending = await this.log.findPending(ref);
    if (!pending) return undefined;
    const run = await this.log.get(pending.runId);
    if (!run) return undefined;
    this.run_ = { ...run, status: "running", worker: thisWorker(this.options.requestId) };
    const name = pending.step as StepName;
    const rec = this.run_.steps.findLast((s) => s.name === name && s.ref === ref);
    if (rec?.status !== "pending") {
      await this.log.clearPending(ref); // already finished (a duplicate delivery): idempotent
      return this.run_;
    }
    const stage = this.options.stages[name] as Stage<StepName> | undefined;
    const ctx = this.context(name, rec.attempt, Date.parse(rec.startedAt));
    await this.dispatch(async () => {
      let outcome: StepOutcome<unknown>;
      try {
        if (!result.ok) throw new Error(result.error ?? `external job ${ref} failed`);
        if (!stage?.finish) throw new Error(`stage ${name} cannot finish external job ${ref}`);
        outcome = await stage.finish(result, { ...ctx, ref, trigger: rec.trigger as never });
        if (outcome.kind === "pending")
          throw new Error(`stage ${name} is still pending after ${ref} finished`);
      } catch (e) {
        await this.fail(rec, e);
        await this.log.clearPending(ref);
        throw new StepFailedError(name, this.run_!.runId, e);
      }
      await this.log.clearPending(ref);
      await this.settle(name, rec, outcome, rec.trigger!);
    });
    return this.run_;
  }

  private context(step: StepName, attempt: number, t0 = Date.now()): StepContext {
    const run = this.run_!;
    return {
      runId: run.runId,
      step,
      attempt,
      request: run.request,
      progress: (p) => this.options.onProgress?.(step, p, (Date.now() - t0) / 1000),
    };
  }

  private async dispatch(publish: () => Promise<void>): Promise<void> {
    try {
      await publish();
    } catch (e) {
      if (!(e instanceof StepFailedError)) {
        this.run_ = { ...this.run_!, status: "failed", endedAt: now(), error: (e as Error).message };
        await this.log.save(this.run_);
        throw e;
      }
      return;
    }
    const waiting = this.run_!.steps.some((s) => s.status === "pending");
    this.run_ = waiting
      ? { ...this.run_!, status: "waiting" }
      : { ...this.run_!, status: "succeeded", endedAt: now() };
    await this.log.save(this.run_);
  }

  private async record(rec: StepRecord): Promise<void> {
    const run = this.run_!;
    const steps = run.steps.filter((s) => s.name !== rec.name);
    // Keep flow order in the record whatever order resumes happen in.
    const order = FLOW.map((e) => e.step as string);
    steps.push(rec);
    steps.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    this.run_ = { ...run, steps };
    await this.log.save(this.run_);
    this.options.onStep?.(rec, this.run_);
  }

  private async fail(rec: StepRecord, e: unknown): Promise<void> {
    const err = e as Error;
    const failed: StepRecord = {
      ...rec,
      status: "failed",
      endedAt: now(),
      seconds: (Date.now() - Date.parse(rec.startedAt)) / 1000,
      error: { message: err?.message ?? String(e), ...(err?.stack ? { stack: err.stack } : {}) },
    };
    await this.record(failed);
    this.run_ = {
      ...this.run_!,
      status: "failed",
      endedAt: now(),
      error: `${rec.name}: ${failed.error!.message}`,
    };
    await this.log.save(this.run_);
  }

  private async step<S extends StepName>(name: S, event: In<S>): Promise<void> {
    const stage = this.options.stages[name] as Stage<S> | undefined;
    const previous = this.run_!.steps.find((s) => s.name === name);
    const attempt = (previous?.attempt ?? 0) + 1;
    const ctx = this.context(name, attempt);
    const started: StepRecord = {
      name,
      status: "running",
      inputKey: "",
      attempt,
      startedAt: now(),
      counts: {},
      trigger: event,
    };
    let inputKey: string;
    try {
      if (!stage) throw new Error(`stage ${name} is not available (no implementation wired in)`);
      inputKey = stage.inputKey ? await stage.inputKey(event, ctx) : stableKey(event.data);
    } catch (e) {
      await this.fail(started, e);
      throw new StepFailedError(name, this.run_!.runId, e);
    }
    // Resumed run: a finished step with the same input is not redone.
    if (previous && DONE.includes(previous.status) && previous.inputKey === inputKey) {
      // Reported as reused (the record keeps its original outcome: it was done in this run).
      this.options.onStep?.({ ...previous, status: "reused", note: "done earlier in this run" }, this.run_!);
      if (previous.emitted) await this.bus.publish({ ...previous.emitted, runId: this.run_!.runId });
      return;
    }
    if (previous?.status === "pending" && previous.inputKey === inputKey) return; // still running outside
    if (stage.reuseAcrossRuns) {
      const done = await this.log.findDone(name, inputKey);
      if (done && done.step.status === "succeeded") {
        const emitted = done.step.emitted ? { ...done.step.emitted, runId: this.run_!.runId } : undefined;
        await this.record({
          ...started,
          inputKey,
          status: "reused",
          endedAt: now(),
          seconds: 0,
          counts: done.step.counts,
          output: done.step.output,
          note: `same input as ${done.runId}`,
          ...(emitted ? { emitted } : {}),
        });
        if (emitted) await this.bus.publish(emitted);
        return;
      }
    }
    if (name === "train") {
      const skip = await this.trainSkipReason(event as In<"train">);
      if (skip) {
        await this.record({
          ...started,
          inputKey,
          status: "skipped",
          endedAt: now(),
          seconds: 0,
          note: skip,
        });
        return;
      }
    }
    const rec = { ...started, inputKey };
    await this.record(rec);
    let outcome: StepOutcome<Out<S>>;
    try {
      outcome = await stage.run(event, ctx);
    } catch (e) {
      await this.fail(rec, e);
      throw new StepFailedError(name, this.run_!.runId, e);
    }
    if (outcome.kind === "pending") {
      await this.log.markPending(outcome.ref, this.run_!.runId, name);
      await this.record({ ...rec, status: "pending", ref: outcome.ref, note: outcome.note });
      return;
    }
    await this.settle(name, rec, outcome, event);
  }

  private async settle(
    name: StepName,
    rec: StepRecord,
    outcome: Exclude<StepOutcome<unknown>, { kind: "pending" }>,
    trigger: PipelineEvent,
  ): Promise<void> {
    const edge = FLOW.find((e) => e.step === name)!;
    const ended = { endedAt: now(), seconds: (Date.now() - Date.parse(rec.startedAt)) / 1000 };
    if (outcome.kind === "skipped") {
      await this.record({
        ...rec,
        ...ended,
        status: "skipped",
        counts: outcome.counts ?? {},
        note: outcome.note,
      });
      return;
    }
    let emitted: PipelineEvent | undefined;
    try {
      if ("emits" in edge) emitted = makeEvent(edge.emits, this.run_!.runId, outcome.data as never);
    } catch (e) {
      await this.fail(rec, e);
      throw new StepFailedError(name, this.run_!.runId, e);
    }
    const done: StepRecord = {
      ...rec,
      ...ended,
      status: "succeeded",
      counts: outcome.counts ?? {},
      output: outcome.data,
      trigger,
      ...(outcome.note ? { note: outcome.note } : {}),
      ...(emitted ? { emitted } : {}),
    };
    await this.record(done);
    await this.log.markDone(this.run_!.runId, done);
    if (name === "train") await this.saveTrainState(trigger as In<"train">);
    if (emitted) await this.bus.publish(emitted);
  }

  private trainTable() {
    return this.options.trainPolicy?.table ?? "curated.bookings";
  }

  private async trainSkipReason(event: In<"train">): Promise<string | undefined> {
    const req = this.run_!.request;
    if (req.forceTrain || req.trigger === "schedule") return undefined;
    const last = await this.log.getState<{ rows: number }>("last-train");
    if (!last) return undefined;
    const rows = event.data.tables[this.trainTable()]?.rows ?? 0;
    const min = this.options.trainPolicy?.minNewRows ?? 1000;
    const fresh = rows - last.rows;
    return fresh >= min
      ? undefined
      : `not enough new data: ${fresh} new rows in ${this.trainTable()} since the last model (< ${min}); use --force-train`;
  }

  private async saveTrainState(event: In<"train">): Promise<void> {
    const t = event.data.tables[this.trainTable()];
    await this.log.putState("last-train", {
      rows: t?.rows ?? 0,
      version: t?.version ?? 0,
      runId: event.runId,
    });
  }
}
