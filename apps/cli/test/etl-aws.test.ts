import type { StartGlueEtlOptions } from "@hotels/etl";
import { describe, expect, it } from "vitest";
import { etlOnAws, renderGlueEtl } from "../src/commands/etl.ts";
import { ConfigSchema } from "../src/config.ts";
import { UserError } from "../src/output.ts";

type GlueClient = NonNullable<StartGlueEtlOptions["client"]>;

/** A stand-in for the Glue service (the CLI package does not depend on the SDK or aws-sdk-client-mock):
 * records each command's name and input, and answers from a queue per command (the last answer repeats). */
function fakeGlue(answers: Record<string, (() => unknown)[]>) {
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name;
      calls.push({ command: name, input: command.input });
      const queue = answers[name];
      if (!queue?.length) throw new Error(`fake Glue: no answer for ${name}`);
      return (queue.length > 1 ? queue.shift()! : queue[0]!)();
    },
  };
  return { client: client as unknown as GlueClient, calls };
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

const config = ConfigSchema.parse({ runtime: "aws", aws: { prefix: "acme", env: "staging" } });

describe("hotels etl --runtime aws", () => {
  it("starts <prefix>-<env>-etl with the job selection and reports the run without waiting", async () => {
    // prepare
    const glue = fakeGlue({ StartJobRunCommand: [() => ({ JobRunId: "jr_42" })] });
    // act
    const summary = await etlOnAws(config, { full: true, job: ["load"] }, { client: glue.client });
    // assert
    expect(glue.calls.map((c) => c.command)).toEqual(["StartJobRunCommand"]);
    const input = glue.calls[0]!.input;
    expect(input.JobName).toBe("acme-staging-etl");
    expect(input.Arguments).toEqual({
      "--full": "true",
      "--jobs": "load.hotels,load.customers,load.bookings,load.reviews,load.hotel_daily",
      "--run_id": summary.runId,
    });
    expect(summary).toEqual({
      runtime: "aws",
      jobName: "acme-staging-etl",
      jobRunId: "jr_42",
      runId: expect.stringMatching(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/),
      arguments: input.Arguments,
    });
    expect(renderGlueEtl(summary)).toBe(
      [
        `started Glue job acme-staging-etl run jr_42 (--full true, --jobs load.hotels,load.customers,load.bookings,load.reviews,load.hotel_daily, --run_id ${summary.runId})`,
        "follow it: aws glue get-job-run --job-name acme-staging-etl --run-id jr_42",
      ].join("\n"),
    );
  });

  it("with --wait polls the run to SUCCEEDED and reports its state, time and DPU-seconds", async () => {
    // prepare
    const glue = fakeGlue({
      StartJobRunCommand: [() => ({ JobRunId: "jr_7" })],
      GetJobRunCommand: [
        () => ({ JobRun: { Id: "jr_7", JobRunState: "RUNNING" } }),
        () => ({ JobRun: { Id: "jr_7", JobRunState: "SUCCEEDED", ExecutionTime: 318, DPUSeconds: 636 } }),
      ],
    });
    const progress: string[] = [];
    // act
    const summary = await etlOnAws(
      config,
      { wait: true },
      { client: glue.client, intervalMs: 1, progress: (l) => progress.push(l) },
    );
    // assert
    expect(glue.calls.map((c) => c.command)).toEqual([
      "StartJobRunCommand",
      "GetJobRunCommand",
      "GetJobRunCommand",
    ]);
    expect(glue.calls[1]!.input).toEqual({ JobName: "acme-staging-etl", RunId: "jr_7" });
    expect(progress).toEqual([
      "started Glue job acme-staging-etl run jr_7; waiting for it to end",
      "… RUNNING",
      "… SUCCEEDED",
    ]);
    expect(summary).toMatchObject({
      jobRunId: "jr_7",
      state: "SUCCEEDED",
      executionSeconds: 318,
      dpuSeconds: 636,
    });
    expect(renderGlueEtl(summary)).toMatch(
      /^Glue job acme-staging-etl run jr_7 SUCCEEDED in 318 s \(636 DPU-s\) \(--full false, --jobs all, --run_id /,
    );
  });

  it("with --wait turns a failed run into a UserError carrying Glue's ErrorMessage", async () => {
    // prepare
    const glue = fakeGlue({
      StartJobRunCommand: [() => ({ JobRunId: "jr_8" })],
      GetJobRunCommand: [
        () => ({
          JobRun: { Id: "jr_8", JobRunState: "FAILED", ErrorMessage: "Py4JJavaError: JDBC timeout" },
        }),
      ],
    });
    // act
    const error = await etlOnAws(config, { wait: true }, { client: glue.client, intervalMs: 1 }).catch(
      (e: unknown) => e,
    );
    // assert
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      "Glue job acme-staging-etl run jr_8 FAILED: Py4JJavaError: JDBC timeout",
    );
  });

  it("reports a run already in progress as a UserError naming the job and the run", async () => {
    // prepare
    const glue = fakeGlue({
      StartJobRunCommand: [
        () => {
          throw awsError("ConcurrentRunsExceededException", "Concurrent runs exceeded for acme-staging-etl");
        },
      ],
      GetJobRunsCommand: [() => ({ JobRuns: [{ Id: "jr_busy", JobRunState: "RUNNING" }] })],
    });
    // act
    const error = await etlOnAws(config, {}, { client: glue.client }).catch((e: unknown) => e);
    // assert
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^Glue job acme-staging-etl already has a run in progress \(jr_busy RUNNING\): wait for it/,
    );
  });

  it.each([
    ["--compact", { compact: true }],
    ["--compact-fraction", { compactFraction: "0.2" }],
  ])("refuses %s (local only) before calling Glue", async (_flag, opts) => {
    // prepare
    const glue = fakeGlue({ StartJobRunCommand: [() => ({ JobRunId: "jr_x" })] });
    // act
    const error = await etlOnAws(config, opts, { client: glue.client }).catch((e: unknown) => e);
    // assert
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^--compact and --compact-fraction are local only/);
    expect(glue.calls).toEqual([]);
  });

  it("refuses an unknown job before calling Glue", async () => {
    // prepare
    const glue = fakeGlue({ StartJobRunCommand: [() => ({ JobRunId: "jr_x" })] });
    // act
    const error = await etlOnAws(config, { job: ["nope"] }, { client: glue.client }).catch((e: unknown) => e);
    // assert
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^unknown ETL job "nope"/);
    expect(glue.calls).toEqual([]);
  });
});
