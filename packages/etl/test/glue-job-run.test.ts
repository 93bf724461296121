import {
  ConcurrentRunsExceededException,
  EntityNotFoundException,
  GetJobRunCommand,
  GetJobRunsCommand,
  GlueClient,
  StartJobRunCommand,
} from "@aws-sdk/client-glue";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  GLUE_JOB_ARGUMENTS,
  GlueEtlJobNotFoundError,
  GlueEtlRunFailedError,
  GlueEtlRunInProgressError,
  glueEtlJobName,
  startGlueEtl,
  waitForGlueEtl,
} from "../src/index.ts";

const glue = mockClient(GlueClient);
const client = new GlueClient({ region: "eu-west-1" });
const JOB = glueEtlJobName({ prefix: "hotels", env: "dev" });

beforeEach(() => glue.reset());
afterAll(() => glue.restore());

describe("startGlueEtl (StartJobRun)", () => {
  it("starts the infra-named job with --full, --jobs and --run_id and returns the JobRunId", async () => {
    // prepare
    glue.on(StartJobRunCommand).resolves({ JobRunId: "jr_0123" });
    // act
    const started = await startGlueEtl({
      client,
      jobName: JOB,
      full: true,
      jobs: ["bookings", "load.hotels"],
      runId: "20261124T061500Z-3fa2c1",
    });
    // assert
    expect(JOB).toBe("hotels-dev-etl");
    const calls = glue.commandCalls(StartJobRunCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input).toEqual({
      JobName: "hotels-dev-etl",
      Arguments: {
        "--full": "true",
        // resolved by selectJobs, in run order
        "--jobs": "extract.bookings,transform.bookings,load.hotels,load.bookings",
        "--run_id": "20261124T061500Z-3fa2c1",
      },
    });
    // the selection arguments are the ones the generated script reads
    for (const k of ["--full", "--jobs"]) expect(Object.keys(GLUE_JOB_ARGUMENTS)).toContain(k);
    expect(started).toEqual({
      jobName: "hotels-dev-etl",
      jobRunId: "jr_0123",
      runId: "20261124T061500Z-3fa2c1",
      arguments: input.Arguments,
    });
  });

  it("defaults to an incremental run of every job with a fresh run id", async () => {
    // prepare
    glue.on(StartJobRunCommand).resolves({ JobRunId: "jr_1" });
    // act
    const started = await startGlueEtl({ client, jobName: JOB });
    // assert
    const args = glue.commandCalls(StartJobRunCommand)[0]!.args[0].input.Arguments!;
    expect(args["--full"]).toBe("false");
    expect(args["--jobs"]).toBe("all");
    expect(args["--run_id"]).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(started.runId).toBe(args["--run_id"]);
  });

  it("refuses an unknown job name before calling Glue, as the local runner does", async () => {
    // act + assert
    await expect(startGlueEtl({ client, jobName: JOB, jobs: ["bookingz"] })).rejects.toThrow(
      /unknown ETL job "bookingz"; one of: extract, transform, load, extract\.hotels/,
    );
    expect(glue.commandCalls(StartJobRunCommand)).toHaveLength(0);
  });

  it("maps ConcurrentRunsExceededException to a run-in-progress error naming the job and the running run", async () => {
    // prepare
    glue.on(StartJobRunCommand).rejects(
      new ConcurrentRunsExceededException({
        message: "Concurrent runs exceeded for hotels-dev-etl",
        $metadata: {},
      }),
    );
    const startedOn = new Date("2026-11-24T06:15:00Z");
    glue.on(GetJobRunsCommand).resolves({
      JobRuns: [
        { Id: "jr_running", JobRunState: "RUNNING", StartedOn: startedOn },
        { Id: "jr_old", JobRunState: "SUCCEEDED" },
      ],
    });
    // act
    const error = await startGlueEtl({ client, jobName: JOB }).catch((e: unknown) => e);
    // assert
    expect(error).toBeInstanceOf(GlueEtlRunInProgressError);
    const e = error as GlueEtlRunInProgressError;
    expect(e.jobName).toBe("hotels-dev-etl");
    expect(e.running).toEqual([{ id: "jr_running", state: "RUNNING", startedOn }]);
    expect(e.message).toBe(
      "Glue job hotels-dev-etl already has a run in progress (jr_running RUNNING since 2026-11-24T06:15:00.000Z): wait for it to finish, or stop it (aws glue batch-stop-job-run)",
    );
    expect(glue.commandCalls(GetJobRunsCommand)[0]!.args[0].input).toEqual({
      JobName: "hotels-dev-etl",
      MaxResults: 10,
    });
  });

  it("still reports the run in progress when GetJobRuns is not allowed", async () => {
    // prepare
    glue.on(StartJobRunCommand).rejects(new ConcurrentRunsExceededException({ message: "x", $metadata: {} }));
    glue.on(GetJobRunsCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    // act + assert
    await expect(startGlueEtl({ client, jobName: JOB })).rejects.toThrow(
      /^Glue job hotels-dev-etl already has a run in progress: wait/,
    );
  });

  it("maps EntityNotFoundException to a job-not-found error", async () => {
    // prepare
    glue
      .on(StartJobRunCommand)
      .rejects(
        new EntityNotFoundException({ message: "Job with name: hotels-dev-etl not found", $metadata: {} }),
      );
    // act + assert
    await expect(startGlueEtl({ client, jobName: JOB })).rejects.toThrow(GlueEtlJobNotFoundError);
  });
});

describe("waitForGlueEtl (GetJobRun polling)", () => {
  it("polls until SUCCEEDED and resolves with the state, execution time and DPU-seconds", async () => {
    // prepare
    const startedOn = new Date("2026-11-24T06:15:00Z");
    const completedOn = new Date("2026-11-24T06:20:12Z");
    glue
      .on(GetJobRunCommand)
      .resolvesOnce({ JobRun: { Id: "jr_1", JobRunState: "STARTING" } })
      .resolvesOnce({ JobRun: { Id: "jr_1", JobRunState: "RUNNING", StartedOn: startedOn } })
      .resolvesOnce({ JobRun: { Id: "jr_1", JobRunState: "RUNNING", StartedOn: startedOn } })
      .resolves({
        JobRun: {
          Id: "jr_1",
          JobRunState: "SUCCEEDED",
          ExecutionTime: 312,
          DPUSeconds: 624.5,
          StartedOn: startedOn,
          CompletedOn: completedOn,
        },
      });
    const states: string[] = [];
    // act
    const run = await waitForGlueEtl({
      client,
      jobName: JOB,
      jobRunId: "jr_1",
      intervalMs: 1,
      onState: (s) => states.push(s),
    });
    // assert
    const calls = glue.commandCalls(GetJobRunCommand);
    expect(calls).toHaveLength(4);
    for (const c of calls) expect(c.args[0].input).toEqual({ JobName: "hotels-dev-etl", RunId: "jr_1" });
    expect(states).toEqual(["STARTING", "RUNNING", "SUCCEEDED"]);
    expect(run).toEqual({
      jobName: "hotels-dev-etl",
      jobRunId: "jr_1",
      state: "SUCCEEDED",
      executionSeconds: 312,
      dpuSeconds: 624.5,
      startedOn,
      completedOn,
    });
  });

  it("leaves DPU-seconds out when Glue does not report them", async () => {
    // prepare
    glue
      .on(GetJobRunCommand)
      .resolves({ JobRun: { Id: "jr_1", JobRunState: "SUCCEEDED", ExecutionTime: 40 } });
    // act
    const run = await waitForGlueEtl({ client, jobName: JOB, jobRunId: "jr_1", intervalMs: 1 });
    // assert
    expect(run.executionSeconds).toBe(40);
    expect(run).not.toHaveProperty("dpuSeconds");
  });

  it.each(["FAILED", "ERROR", "TIMEOUT", "STOPPED"])(
    "throws on %s with Glue's ErrorMessage",
    async (state) => {
      // prepare
      glue
        .on(GetJobRunCommand)
        .resolvesOnce({ JobRun: { Id: "jr_2", JobRunState: "RUNNING" } })
        .resolves({
          JobRun: {
            Id: "jr_2",
            JobRunState: state as "FAILED",
            ErrorMessage: "AnalysisException: Table or view not found: processed.bookings",
          },
        });
      // act
      const error = await waitForGlueEtl({ client, jobName: JOB, jobRunId: "jr_2", intervalMs: 1 }).catch(
        (e: unknown) => e,
      );
      // assert
      expect(error).toBeInstanceOf(GlueEtlRunFailedError);
      const e = error as GlueEtlRunFailedError;
      expect(e.state).toBe(state);
      expect(e.errorMessage).toBe("AnalysisException: Table or view not found: processed.bookings");
      expect(e.message).toBe(
        `Glue job hotels-dev-etl run jr_2 ${state}: AnalysisException: Table or view not found: processed.bookings`,
      );
      expect(glue.commandCalls(GetJobRunCommand)).toHaveLength(2);
    },
  );
});
