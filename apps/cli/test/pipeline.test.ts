import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { scopedSource } from "../src/commands/pipeline.ts";
import type { Config } from "../src/config.ts";
import type { Runtime } from "../src/runtime.ts";

/** `hotels pipeline` end to end on the real local stages (PGlite, DuckDB, the GBDT trainer), on a small
 * generated data set: an uninterrupted run, and a run killed with SIGKILL mid-way then run again. */
const bin = path.resolve(import.meta.dirname, "../bin/hotels.js");
const ARGS = ["pipeline", "run", "--generate", "800", "--seed", "3", "--json"];

function hotels(home: string, args: readonly string[]) {
  const p = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, HOTELS_HOME: home, DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  p.stdout!.on("data", (d) => {
    out += d;
  });
  p.stderr!.on("data", (d) => {
    err += d;
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>(
    (resolve) => p.on("close", (code, signal) => resolve({ code, signal, out, err })),
  );
  const waitFor = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (re.test(err) || re.test(out)) return resolve();
        if (p.exitCode !== null) return reject(new Error(`exited before ${re}: ${err}`));
        setTimeout(check, 50);
      };
      check();
    });
  return { p, done, waitFor };
}

interface Summary {
  runId: string;
  status: string;
  tables: Record<string, { version: number; rows: number }>;
  steps: { step: string; status: string; attempt: number }[];
  model?: { auc?: number };
  predictions: number;
}
const rowsOf = (s: Summary) => Object.fromEntries(Object.entries(s.tables).map(([t, v]) => [t, v.rows]));
const tmp = () => mkdtempSync(path.join(tmpdir(), "hotels-pipeline-"));

describe("hotels pipeline (local stages)", () => {
  it("a run killed mid-way resumes (finished steps not redone) and ends in the same lake as an uninterrupted run; a concurrent run is refused", async () => {
    // prepare: the uninterrupted reference.
    const reference = await hotels(tmp(), ARGS).done;
    expect(reference.code, reference.err).toBe(0);
    const ref = JSON.parse(reference.out) as Summary;
    expect(ref.status).toBe("succeeded");
    expect(ref.steps.map((s) => s.status)).toEqual(Array(6).fill("succeeded"));
    expect(ref.tables["curated.bookings"]!.rows).toBeGreaterThan(500);
    expect(ref.predictions).toBe(ref.tables["curated.bookings"]!.rows);
    expect(ref.model?.auc).toBeGreaterThan(0.6);

    // act: start a run, try a second one while it runs, kill the first once ETL is done.
    const home = tmp();
    const victim = hotels(home, ARGS);
    await victim.waitFor(/✓ etl/);
    const second = await hotels(home, ARGS).done;
    expect(second.code).toBe(3);
    expect(second.err).toMatch(/another pipeline run is in progress \(pid \d+/);
    victim.p.kill("SIGKILL");
    expect((await victim.done).signal).toBe("SIGKILL");
    const status = await hotels(home, ["pipeline", "status", "--json"]).done;
    const interrupted = JSON.parse(status.out) as {
      lock?: { alive: boolean };
      run: { runId: string; status: string };
    };
    expect(interrupted.run.status).toBe("running");
    expect(interrupted.lock?.alive).toBe(false);

    const rerun = await hotels(home, ARGS).done;

    // assert: same run resumed, ingest and ETL not redone, same tables with the same row counts.
    expect(rerun.code, rerun.err).toBe(0);
    const s = JSON.parse(rerun.out) as Summary;
    expect(s.runId).toBe(interrupted.run.runId);
    expect(s.status).toBe("succeeded");
    expect(rerun.err).toMatch(/↺ ingest/);
    expect(rerun.err).toMatch(/↺ etl/);
    expect(s.steps.find((x) => x.step === "etl")?.attempt).toBe(1);
    expect(rowsOf(s)).toEqual(rowsOf(ref));
  }, 600_000);
});

const PG_URL = process.env.PG_TEST_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** Whether PostgreSQL answers on its port (under CI it must). */
const pgUp = await new Promise<boolean>((resolve, reject) => {
  const u = new URL(PG_URL);
  const socket = net.connect(Number(u.port || 5432), u.hostname);
  socket.once("connect", () => {
    socket.end();
    resolve(true);
  });
  socket.once("error", (e) => {
    if (process.env.CI) return reject(e);
    console.warn(`skipping the scoped-source test: PostgreSQL at ${PG_URL} is unreachable (${e.message})`);
    resolve(false);
  });
});

describe.runIf(pgUp)("the pipeline's SQL source (open only for ingest and ETL)", () => {
  it("shares one source until closed, then the closed one refuses queries and the next open is a new one", async () => {
    // prepare: the pipeline command's runtime, on PostgreSQL (PGlite would cost ~2 s and ~700 MB).
    const config = { runtime: "local", home: tmp(), databaseUrl: PG_URL } as unknown as Config;
    const sql = scopedSource({ config } as Runtime);

    // act
    const first = await sql.open();
    const again = await sql.open();
    await sql.close();
    const reopened = await sql.open();

    // assert
    expect(again).toBe(first);
    await expect(first.query("select 1 as one")).rejects.toThrow();
    expect(reopened).not.toBe(first);
    expect(await reopened.query("select 1 as one")).toEqual([{ one: 1 }]);
    await sql.close();
    await sql.close(); // closing twice is harmless (ETL's close, then the run's)
  });
});
