import { describe, expect, it } from "vitest";
import { InProcessBus, makeEvent, Pipeline, parseEvent, RunLog, type Stages } from "../src/index.ts";
import { fakeStages } from "./support/fake-stages.ts";
import { MemStore } from "./support/stores.ts";

const request = { trigger: "cli", input: { kind: "file", uri: "data/x.csv" } } as const;

function setup(stages: Stages, store = new MemStore(), minNewRows?: number) {
  const log = new RunLog({ store, bucket: "raw" });
  const bus = new InProcessBus();
  const pipeline = new Pipeline({ stages, log, bus, trainPolicy: { minNewRows } });
  return { pipeline, log, bus, store };
}

describe("events", () => {
  it("rejects a malformed event naming the field", () => {
    expect(() =>
      makeEvent("LakeUpdated", "r1", { tables: { x: { version: "1" as never, rows: 1 } } }),
    ).toThrow(/invalid LakeUpdated event: data\.tables\.x\.version/);
    expect(() => parseEvent({ type: "Nope", runId: "r", at: new Date().toISOString(), data: {} })).toThrow(
      /not a pipeline event: type/,
    );
  });
});

describe("Pipeline", () => {
  it("runs every step in flow order and records each with counts", async () => {
    const { stages, calls } = fakeStages();
    const { pipeline, bus, log } = setup(stages);

    const run = await pipeline.run(request);

    expect(calls).toEqual(["ingest", "etl", "crawl", "queries", "train", "predict"]);
    expect(run.status).toBe("succeeded");
    expect(run.steps.map((s) => [s.name, s.status])).toEqual(
      ["ingest", "etl", "crawl", "queries", "train", "predict"].map((n) => [n, "succeeded"]),
    );
    expect(run.steps[0]!.counts).toEqual({ read: 100 });
    expect(run.steps.find((s) => s.name === "queries")!.output).toEqual({ cancellation_rate: 0.37 });
    expect(bus.published.map((e) => e.type)).toEqual([
      "RunRequested",
      "SourceChanged",
      "LakeUpdated",
      "CatalogUpdated",
      "ModelRegistered",
      "PredictionsWritten",
    ]);
    expect(new Set(bus.published.map((e) => e.runId))).toEqual(new Set([run.runId]));
    expect((await log.get(run.runId))?.status).toBe("succeeded");
  });

  it("records a failing step with its error; the next run resumes from it without redoing finished ones", async () => {
    const { stages, calls } = fakeStages({ failures: { train: 1 } });
    const { pipeline, log } = setup(stages);

    const failed = await pipeline.run(request);

    expect(failed.status).toBe("failed");
    expect(failed.error).toBe("train: train exploded");
    const train = failed.steps.find((s) => s.name === "train")!;
    expect(train.status).toBe("failed");
    expect(train.error?.message).toBe("train exploded");
    expect(train.endedAt).toBeDefined();
    expect(failed.steps.find((s) => s.name === "predict")).toBeUndefined();

    calls.length = 0;
    const resumed = await pipeline.run(request);

    expect(resumed.runId).toBe(failed.runId);
    expect(calls).toEqual(["train", "predict"]);
    expect(resumed.status).toBe("succeeded");
    expect(resumed.steps.find((s) => s.name === "train")).toMatchObject({ status: "succeeded", attempt: 2 });
    expect(resumed.steps.find((s) => s.name === "etl")).toMatchObject({ status: "succeeded", attempt: 1 });
    expect(await log.list()).toHaveLength(1);
  });

  it("starts a new run (not a resume) when the request differs", async () => {
    const { stages } = fakeStages({ failures: { crawl: 1 } });
    const { pipeline, log } = setup(stages);
    const first = await pipeline.run(request);

    const second = await pipeline.run({ trigger: "cli", input: { kind: "generate", bookings: 10, seed: 1 } });

    expect(second.runId).not.toBe(first.runId);
    expect(second.status).toBe("succeeded");
    expect((await log.list()).map((r) => r.status)).toEqual(["failed", "succeeded"]);
  });

  it("fails a step whose stage is not wired in, clearly, never faking success", async () => {
    const { stages } = fakeStages();
    const { pipeline } = setup({ ...stages, train: undefined });

    const run = await pipeline.run(request);

    expect(run.status).toBe("failed");
    expect(run.steps.find((s) => s.name === "train")?.error?.message).toMatch(/stage train is not available/);
  });

  it("reuses train and predict of an earlier run on the same snapshot (idempotent by input key)", async () => {
    const { stages, calls } = fakeStages();
    const { pipeline } = setup(stages);
    await pipeline.run(request);
    calls.length = 0;

    const again = await pipeline.run(request);

    expect(calls).toEqual(["ingest", "etl", "crawl", "queries"]);
    expect(again.steps.find((s) => s.name === "train")).toMatchObject({ status: "reused" });
    expect(again.steps.find((s) => s.name === "predict")).toMatchObject({ status: "reused" });
    expect(again.status).toBe("succeeded");
  });

  it("skips training without enough new data, unless forced or scheduled", async () => {
    const store = new MemStore();
    const first = fakeStages({ rows: 100 });
    await setup(first.stages, store, 50).pipeline.run(request);
    const more = fakeStages({ rows: 120 });
    // A new snapshot version so the train input key differs from the first run's.
    const etl = more.stages.etl!;
    const stages: Stages = {
      ...more.stages,
      etl: {
        async run(e, ctx) {
          await etl.run(e, ctx);
          return { kind: "done", data: { tables: { "curated.bookings": { version: 2, rows: 120 } } } };
        },
      },
    };

    const run = await setup(stages, store, 50).pipeline.run(request);

    expect(run.steps.find((s) => s.name === "train")).toMatchObject({ status: "skipped" });
    expect(run.steps.find((s) => s.name === "train")?.note).toMatch(/not enough new data: 20 new rows/);
    expect(more.calls).not.toContain("train");

    more.calls.length = 0;
    const forced = await setup(stages, store, 50).pipeline.run({ ...request, forceTrain: true });
    expect(more.calls).toContain("train");
    expect(forced.steps.find((s) => s.name === "train")?.status).toBe("succeeded");
    // Same model version on the same rows: the earlier predictions are reused, not rewritten.
    expect(forced.steps.find((s) => s.name === "predict")?.status).toBe("reused");
  });

  it("waits for an external job (pending) and continues when it completes", async () => {
    const { stages, calls } = fakeStages();
    const store = new MemStore();
    const glue: Stages = {
      ...stages,
      etl: {
        async run() {
          return { kind: "pending", ref: "jr_123", note: "Glue job run started" };
        },
        async finish(result) {
          return {
            kind: "done",
            data: { tables: { "curated.bookings": { version: 3, rows: Number(result.details?.rows ?? 0) } } },
          };
        },
      },
    };
    const { pipeline } = setup(glue, store);

    const waiting = await pipeline.run(request);
    expect(waiting.status).toBe("waiting");
    expect(waiting.steps.find((s) => s.name === "etl")).toMatchObject({ status: "pending", ref: "jr_123" });

    // Another process (the Glue state-change Lambda) completes it.
    const other = setup(glue, store).pipeline;
    expect(await other.complete("jr_unknown", { ok: true })).toBeUndefined();
    const done = await other.complete("jr_123", { ok: true, details: { rows: 7 } });

    expect(done?.status).toBe("succeeded");
    expect(done?.runId).toBe(waiting.runId);
    expect(calls).toEqual(["ingest", "crawl", "queries", "train", "predict"]);
    expect(done?.steps.find((s) => s.name === "etl")?.output).toEqual({
      tables: { "curated.bookings": { version: 3, rows: 7 } },
    });
    // A duplicate delivery of the same state change is a no-op.
    expect(await other.complete("jr_123", { ok: true })).toBeUndefined();
  });

  it("records a failed external job as a failed step", async () => {
    const { stages } = fakeStages();
    const store = new MemStore();
    const glue: Stages = {
      ...stages,
      etl: {
        async run() {
          return { kind: "pending", ref: "jr_9" };
        },
        async finish() {
          throw new Error("unreachable");
        },
      },
    };
    await setup(glue, store).pipeline.run(request);

    const run = await setup(glue, store).pipeline.complete("jr_9", { ok: false, error: "OutOfMemoryError" });

    expect(run?.status).toBe("failed");
    expect(run?.steps.find((s) => s.name === "etl")?.error?.message).toBe("OutOfMemoryError");
  });
});
