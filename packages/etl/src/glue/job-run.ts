import type { GlueClient, JobRun } from "@aws-sdk/client-glue";
import { newRunId } from "@hotels/lake";
import { jobs, selectJobs } from "../jobs/index.ts";

/** The name infra gives the ETL Glue job of an environment: `<prefix>-<env>-etl`. */
export function glueEtlJobName(o: { readonly prefix: string; readonly env: string }): string {
  return `${o.prefix}-${o.env}-etl`;
}

/** Which Glue client a call uses. */
export interface GlueClientOptions {
  /** The Glue client. Default: a client for `region` with the default credential chain, destroyed after
   * the call. */
  readonly client?: GlueClient;
  /** Region of the default client. Default: the SDK's (AWS_REGION, profile). */
  readonly region?: string;
}

export interface StartGlueEtlOptions extends GlueClientOptions {
  /** The Glue job (see `glueEtlJobName`). */
  readonly jobName: string;
  /** Full refresh (`--full true`). Default false. */
  readonly full?: boolean;
  /** Steps, jobs or tables, as `selectJobs` (and `hotels etl --job`) accept them. Default: every job. */
  readonly jobs?: readonly string[];
  /** Run id passed as `--run_id`, as the pipeline's ETL stage does. Default: a new one (`newRunId`). */
  readonly runId?: string;
}

export interface GlueEtlStart {
  readonly jobName: string;
  /** Glue's id of the run (`jr_…`), for GetJobRun / `waitForGlueEtl`. */
  readonly jobRunId: string;
  readonly runId: string;
  /** The run's Arguments, as sent. */
  readonly arguments: Readonly<Record<string, string>>;
}

export interface WaitForGlueEtlOptions extends GlueClientOptions {
  readonly jobName: string;
  readonly jobRunId: string;
  /** Time between two GetJobRun calls. Default 15 000 ms (a Glue run takes minutes; GetJobRun is throttled). */
  readonly intervalMs?: number;
  /** Called on the first state seen and on each change (STARTING → RUNNING → …). */
  readonly onState?: (state: string, run: JobRun) => void;
}

/** A Glue run that finished with SUCCEEDED. */
export interface GlueEtlRun {
  readonly jobName: string;
  readonly jobRunId: string;
  readonly state: "SUCCEEDED";
  /** Seconds the run consumed resources (Glue's ExecutionTime). */
  readonly executionSeconds?: number;
  /** DPU-seconds billed, when Glue reports them (Flex or auto-scaling runs). */
  readonly dpuSeconds?: number;
  readonly startedOn?: Date;
  readonly completedOn?: Date;
}

/** StartJobRun refused by the job's MaxConcurrentRuns (infra sets 1): another run is in progress. */
export class GlueEtlRunInProgressError extends Error {
  constructor(
    readonly jobName: string,
    /** The runs in progress that GetJobRuns found (empty when it could not tell). */
    readonly running: readonly { readonly id: string; readonly state: string; readonly startedOn?: Date }[],
  ) {
    const which = running.length
      ? ` (${running.map((r) => `${r.id} ${r.state}${r.startedOn ? ` since ${r.startedOn.toISOString()}` : ""}`).join(", ")})`
      : "";
    super(
      `Glue job ${jobName} already has a run in progress${which}: wait for it to finish, or stop it (aws glue batch-stop-job-run)`,
    );
    this.name = "GlueEtlRunInProgressError";
  }
}

/** StartJobRun of a job that does not exist (not deployed in this account/region, or another prefix/env). */
export class GlueEtlJobNotFoundError extends Error {
  constructor(
    readonly jobName: string,
    detail: string,
  ) {
    super(`Glue job ${jobName} not found (${detail}): is infra deployed for this prefix, env and region?`);
    this.name = "GlueEtlJobNotFoundError";
  }
}

/** A run that ended in FAILED, ERROR, TIMEOUT, STOPPED or EXPIRED. */
export class GlueEtlRunFailedError extends Error {
  constructor(
    readonly jobName: string,
    readonly jobRunId: string,
    readonly state: string,
    /** Glue's ErrorMessage, when it gave one. */
    readonly errorMessage: string | undefined,
  ) {
    super(`Glue job ${jobName} run ${jobRunId} ${state}${errorMessage ? `: ${errorMessage}` : ""}`);
    this.name = "GlueEtlRunFailedError";
  }
}

const ACTIVE_STATES = new Set(["STARTING", "RUNNING", "STOPPING", "WAITING"]);
const FAILED_STATES = new Set(["FAILED", "ERROR", "TIMEOUT", "STOPPED", "EXPIRED"]);

const errName = (e: unknown) => (e as { name?: string }).name;

/** The SDK (loaded on first use, like the other AWS adapters: local commands never pay for it) and the
 * client, with the clean-up of a client made here. */
async function sdk(o: GlueClientOptions) {
  const glue = await import("@aws-sdk/client-glue");
  const client = o.client ?? new glue.GlueClient(o.region ? { region: o.region } : {});
  return { glue, client, close: () => (o.client ? undefined : client.destroy()) };
}

/** The Arguments of a run: `--full`, `--jobs` (names as GLUE_JOB_ARGUMENTS spells them) and `--run_id`.
 * The selection is validated and resolved here, exactly as the local runner does; the resolved job names
 * are sent (not the user's words), so the Glue run runs the jobs this definition resolved. Throws on an
 * unknown name before anything is started. */
export function glueEtlArguments(o: {
  readonly full?: boolean;
  readonly jobs?: readonly string[];
  readonly runId: string;
}): Record<string, string> {
  const picked = selectJobs(o.jobs);
  return {
    "--full": o.full ? "true" : "false",
    "--jobs": picked.length === jobs.length ? "all" : picked.map((j) => j.name).join(","),
    "--run_id": o.runId,
  };
}

/** Starts the ETL Glue job (StartJobRun) and returns its run id; does not wait (see `waitForGlueEtl`). */
export async function startGlueEtl(options: StartGlueEtlOptions): Promise<GlueEtlStart> {
  const runId = options.runId ?? newRunId();
  const args = glueEtlArguments({ full: options.full, jobs: options.jobs, runId });
  const { glue, client, close } = await sdk(options);
  try {
    let jobRunId: string | undefined;
    try {
      const r = await client.send(new glue.StartJobRunCommand({ JobName: options.jobName, Arguments: args }));
      jobRunId = r.JobRunId;
    } catch (e) {
      if (errName(e) === "ConcurrentRunsExceededException")
        throw new GlueEtlRunInProgressError(
          options.jobName,
          await runningRuns(glue, client, options.jobName),
        );
      if (errName(e) === "EntityNotFoundException")
        throw new GlueEtlJobNotFoundError(options.jobName, (e as Error).message);
      throw e;
    }
    if (!jobRunId) throw new Error(`StartJobRun ${options.jobName} returned no JobRunId`);
    return { jobName: options.jobName, jobRunId, runId, arguments: args };
  } finally {
    close();
  }
}

/** The job's runs in progress, to name them in the error; best effort (the error stands without them). */
async function runningRuns(
  glue: typeof import("@aws-sdk/client-glue"),
  client: GlueClient,
  jobName: string,
): Promise<{ id: string; state: string; startedOn?: Date }[]> {
  try {
    // Most recent first: the runs in progress are among the first page.
    const r = await client.send(new glue.GetJobRunsCommand({ JobName: jobName, MaxResults: 10 }));
    return (r.JobRuns ?? [])
      .filter((j) => j.Id && j.JobRunState && ACTIVE_STATES.has(j.JobRunState))
      .map((j) => ({
        id: j.Id!,
        state: j.JobRunState!,
        ...(j.StartedOn ? { startedOn: j.StartedOn } : {}),
      }));
  } catch {
    return [];
  }
}

/** Polls GetJobRun until the run ends: resolves on SUCCEEDED, throws `GlueEtlRunFailedError` (with Glue's
 * ErrorMessage) on FAILED, ERROR, TIMEOUT, STOPPED or EXPIRED. No deadline of its own: the job's Timeout
 * (infra: 60 min) ends a run that hangs with TIMEOUT. */
export async function waitForGlueEtl(options: WaitForGlueEtlOptions): Promise<GlueEtlRun> {
  const intervalMs = options.intervalMs ?? 15_000;
  const { glue, client, close } = await sdk(options);
  try {
    let last: string | undefined;
    for (;;) {
      const r = await client.send(
        new glue.GetJobRunCommand({ JobName: options.jobName, RunId: options.jobRunId }),
      );
      const run = r.JobRun ?? {};
      const state = run.JobRunState;
      if (state && state !== last) {
        last = state;
        options.onState?.(state, run);
      }
      if (state === "SUCCEEDED")
        return {
          jobName: options.jobName,
          jobRunId: options.jobRunId,
          state,
          ...(run.ExecutionTime !== undefined ? { executionSeconds: run.ExecutionTime } : {}),
          ...(run.DPUSeconds !== undefined ? { dpuSeconds: run.DPUSeconds } : {}),
          ...(run.StartedOn ? { startedOn: run.StartedOn } : {}),
          ...(run.CompletedOn ? { completedOn: run.CompletedOn } : {}),
        };
      if (state && FAILED_STATES.has(state))
        throw new GlueEtlRunFailedError(options.jobName, options.jobRunId, state, run.ErrorMessage);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    close();
  }
}
