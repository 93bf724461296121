/** A `pipeline run` in a child process, over fake stages that write a small deterministic "lake" into a
 * folder: the fault tests kill it mid-write and run it again. Usage: child-run.ts <home> [partDelayMs]
 * [holdFile] — with a hold file, the run pauses after its first part until that file exists. */
import { existsSync } from "node:fs";
import path from "node:path";
import { FileLock, LockHeldError, Pipeline, RunLog, type Stages } from "../../src/index.ts";
import { DirStore } from "./stores.ts";

const [home = ".", delay = "0", hold] = process.argv.slice(2);
const store = new DirStore(path.join(home, "lake"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => process.stdout.write(`${s}\n`);

/** Writes data files under unique run-independent names, then commits a pointer: idempotent. */
async function writeTable(table: string, parts: number, version: number) {
  for (let i = 0; i < parts; i++) {
    say(`${table}:part:${i}`);
    await store.put("curated", `${table}/part-${i}.csv`, `${table},${i}\n`.repeat(100 + i));
    await sleep(Number(delay));
    while (hold && !existsSync(hold)) await sleep(20);
  }
  await store.put("curated", `_snapshots/${table}/_current`, JSON.stringify({ version, parts }));
}

const stages: Stages = {
  ingest: {
    async run() {
      say("ingest");
      return { kind: "done", data: { reason: "ingest", counts: { loaded: 500 } } };
    },
  },
  etl: {
    async run() {
      await writeTable("bookings", 5, 1);
      return { kind: "done", data: { tables: { "curated.bookings": { version: 1, rows: 500 } } } };
    },
  },
  crawl: {
    async run(e) {
      say("crawl");
      await store.put("curated", "_catalog/bookings.json", JSON.stringify(e.data.tables));
      return { kind: "done", data: { tables: e.data.tables } };
    },
  },
  queries: {
    async run() {
      return { kind: "done", data: { ok: 1 } };
    },
  },
  train: {
    async run() {
      await writeTable("model", 3, 1);
      return { kind: "done", data: { model: "m", version: "1", promoted: true } };
    },
  },
  predict: {
    async run() {
      await writeTable("predictions", 3, 1);
      return { kind: "done", data: { table: "predictions.x", version: 1, rows: 500, model: "m/1" } };
    },
  },
};

const lock = new FileLock(path.join(home, "pipeline.lock"), { heartbeatMs: 200 });
let handle: ReturnType<FileLock["acquire"]>;
try {
  handle = lock.acquire();
} catch (e) {
  if (e instanceof LockHeldError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(3);
  }
  throw e;
}
const log = new RunLog({ store, bucket: "raw" });
const run = await new Pipeline({ stages, log }).run({
  trigger: "cli",
  input: { kind: "file", uri: "x.csv" },
});
handle.release();
say(`RESULT ${JSON.stringify({ runId: run.runId, status: run.status })}`);
