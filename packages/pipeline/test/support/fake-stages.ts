import type { Stages, StepName } from "../../src/index.ts";

export interface FakeOptions {
  /** Steps that throw on their first `n` calls. */
  readonly failures?: Partial<Record<StepName, number>>;
  /** Rows the fake ETL reports for curated.bookings. */
  readonly rows?: number;
}

/** Small fake stages: they count their calls and answer like the real ones (same event shapes). */
export function fakeStages(options: FakeOptions = {}) {
  const calls: StepName[] = [];
  const failures = { ...options.failures };
  const rows = options.rows ?? 100;
  const enter = (s: StepName) => {
    calls.push(s);
    if ((failures[s] ?? 0) > 0) {
      failures[s]! -= 1;
      throw new Error(`${s} exploded`);
    }
  };
  const stages: Stages = {
    ingest: {
      async run() {
        enter("ingest");
        return {
          kind: "done",
          data: { reason: "ingest", counts: { read: rows, loaded: rows } },
          counts: { read: rows },
        };
      },
    },
    etl: {
      async run() {
        enter("etl");
        return {
          kind: "done",
          data: { tables: { "curated.bookings": { version: 1, rows } } },
          counts: { rows },
        };
      },
    },
    crawl: {
      async run(e) {
        enter("crawl");
        return { kind: "done", data: { tables: e.data.tables, partitionsAdded: 2 } };
      },
    },
    queries: {
      async run() {
        enter("queries");
        return { kind: "done", data: { cancellation_rate: 0.37 } };
      },
    },
    train: {
      reuseAcrossRuns: true,
      inputKey: (e) => `bookings@${e.data.tables["curated.bookings"]?.version}`,
      async run() {
        enter("train");
        return {
          kind: "done",
          data: { model: "cancellation", version: "v1", promoted: true, metrics: { auc: 0.9 } },
        };
      },
    },
    predict: {
      reuseAcrossRuns: true,
      inputKey: (e) => `${e.data.model}@${e.data.version}`,
      async run() {
        enter("predict");
        return {
          kind: "done",
          data: { table: "predictions.booking_cancellations", version: 1, rows, model: "cancellation/v1" },
          counts: { rows },
        };
      },
    },
  };
  return { stages, calls };
}
