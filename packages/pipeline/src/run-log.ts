import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";
import { Counts, PipelineEvent, RunRequested } from "./events.ts";

/** The subset of the lake's `ObjectStore` port the run log needs (structurally compatible, so this
 * package depends on no lake implementation). */
export interface LogStore {
  put(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  get(bucket: string, key: string): Promise<Uint8Array>;
  head(bucket: string, key: string): Promise<{ readonly key: string } | undefined>;
  list(bucket: string, prefix?: string): AsyncIterable<{ readonly key: string }>;
  delete(bucket: string, key: string): Promise<void>;
}

export const StepStatus = z.enum(["running", "pending", "succeeded", "skipped", "reused", "failed"]);
export type StepStatus = z.infer<typeof StepStatus>;

export const StepRecord = z.object({
  name: z.string(),
  status: StepStatus,
  /** Identifies the step's input (snapshot versions, file digest…): the idempotency key with the run id. */
  inputKey: z.string(),
  attempt: z.number(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  seconds: z.number().optional(),
  counts: Counts.default({}),
  /** The step's result (what its event carried, or a summary such as the named-query figures). */
  output: z.unknown().optional(),
  note: z.string().optional(),
  error: z.object({ message: z.string(), stack: z.string().optional() }).optional(),
  /** For a step running outside this process (Glue job run id, SageMaker job name). */
  ref: z.string().optional(),
  /** The event the step published, re-published as is when the step is reused. */
  emitted: PipelineEvent.optional(),
  /** The event that triggered it (so a pending step can finish in another process). */
  trigger: PipelineEvent.optional(),
});
export type StepRecord = z.infer<typeof StepRecord>;

export const RunStatus = z.enum(["running", "waiting", "succeeded", "failed"]);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunRecord = z.object({
  runId: z.string(),
  /** What was asked: trigger, ingest input, forced training. A run with the same request resumes. */
  request: RunRequested.shape.data,
  status: RunStatus,
  startedAt: z.string(),
  endedAt: z.string().optional(),
  /** Who last worked on it (a pid on a host locally; a Lambda request id on AWS). */
  worker: z.object({ host: z.string(), pid: z.number(), requestId: z.string().optional() }),
  steps: z.array(StepRecord),
  error: z.string().optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const digest = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 24);
const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");

export interface RunLogOptions {
  readonly store: LogStore;
  /** Bucket holding the log (locally and on AWS: the `raw` zone's bucket). */
  readonly bucket: string;
  /** Key prefix; default `_pipeline/`. */
  readonly prefix?: string;
}

/** The run log: one JSON record per run (`<prefix>runs/<runId>.json`), rewritten atomically at each step
 * transition, plus two small indexes — finished steps by input key (`done/`) and steps waiting on an
 * external job (`pending/<ref>.json`). Same layout locally (a folder) and on AWS (S3). */
export class RunLog {
  readonly store: LogStore;
  readonly bucket: string;
  readonly prefix: string;
  constructor(options: RunLogOptions) {
    this.store = options.store;
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? "_pipeline/";
  }

  private runKey(runId: string) {
    return `${this.prefix}runs/${safe(runId)}.json`;
  }

  async save(run: RunRecord): Promise<void> {
    await this.store.put(this.bucket, this.runKey(run.runId), json(RunRecord.parse(run)));
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const key = this.runKey(runId);
    if (!(await this.store.head(this.bucket, key))) return undefined;
    return this.read(key);
  }

  private async read(key: string): Promise<RunRecord> {
    const text = new TextDecoder().decode(await this.store.get(this.bucket, key));
    const r = RunRecord.safeParse(JSON.parse(text));
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new Error(`run log ${this.bucket}/${key}: ${i.path.join(".")}: ${i.message}`);
    }
    return r.data;
  }

  /** Every run, oldest first (run ids sort by start time). */
  async list(): Promise<RunRecord[]> {
    const keys: string[] = [];
    for await (const o of this.store.list(this.bucket, `${this.prefix}runs/`))
      if (o.key.endsWith(".json")) keys.push(o.key);
    const runs = await Promise.all(keys.map((k) => this.read(k)));
    return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId));
  }

  async latest(): Promise<RunRecord | undefined> {
    return (await this.list()).at(-1);
  }

  private doneKey(step: string, inputKey: string) {
    return `${this.prefix}done/${safe(step)}/${digest(inputKey)}.json`;
  }

  /** Records that `step` finished for `inputKey` (so another run with the same input can reuse it). */
  async markDone(runId: string, step: StepRecord): Promise<void> {
    await this.store.put(this.bucket, this.doneKey(step.name, step.inputKey), json({ runId, step }));
  }

  async findDone(step: string, inputKey: string): Promise<{ runId: string; step: StepRecord } | undefined> {
    const key = this.doneKey(step, inputKey);
    if (!(await this.store.head(this.bucket, key))) return undefined;
    const v = JSON.parse(new TextDecoder().decode(await this.store.get(this.bucket, key))) as {
      runId: string;
      step: unknown;
    };
    return { runId: v.runId, step: StepRecord.parse(v.step) };
  }

  /** Small named state documents (e.g. the rows at the last training). */
  async getState<T>(name: string): Promise<T | undefined> {
    const key = `${this.prefix}state/${safe(name)}.json`;
    if (!(await this.store.head(this.bucket, key))) return undefined;
    return JSON.parse(new TextDecoder().decode(await this.store.get(this.bucket, key))) as T;
  }

  async putState(name: string, value: unknown): Promise<void> {
    await this.store.put(this.bucket, `${this.prefix}state/${safe(name)}.json`, json(value));
  }

  private pendingKey(ref: string) {
    return `${this.prefix}pending/${safe(ref)}.json`;
  }

  async markPending(ref: string, runId: string, step: string): Promise<void> {
    await this.store.put(this.bucket, this.pendingKey(ref), json({ ref, runId, step }));
  }

  async findPending(ref: string): Promise<{ runId: string; step: string } | undefined> {
    const key = this.pendingKey(ref);
    if (!(await this.store.head(this.bucket, key))) return undefined;
    return JSON.parse(new TextDecoder().decode(await this.store.get(this.bucket, key))) as {
      runId: string;
      step: string;
    };
  }

  async clearPending(ref: string): Promise<void> {
    await this.store.delete(this.bucket, this.pendingKey(ref));
  }
}

/** A sortable, unique run id: `run-20260101T120000123Z-1a2b3c` (UTC, milliseconds). */
export function newRunId(now: Date = new Date()): string {
  const t = now.toISOString().replace(/[-:.]/g, "");
  return `run-${t}-${createHash("sha256").update(`${Math.random()}${process.pid}`).digest("hex").slice(0, 6)}`;
}

export function thisWorker(requestId?: string): RunRecord["worker"] {
  return { host: hostname(), pid: process.pid, ...(requestId ? { requestId } : {}) };
}

/** A stable key for a JSON value (object keys sorted), for default input keys. */
export function stableKey(value: unknown): string {
  const norm = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(norm)
      : v && typeof v === "object" && !(v instanceof Date)
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, norm((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(norm(value));
}
