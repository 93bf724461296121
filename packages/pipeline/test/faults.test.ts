import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FileLock, LockHeldError, RunLog } from "../src/index.ts";
import { DirStore, walk } from "./support/stores.ts";

const script = path.join(import.meta.dirname, "support", "child-run.ts");

function child(home: string, delayMs = 0, holdFile?: string) {
  const args = [script, home, String(delayMs), ...(holdFile ? [holdFile] : [])];
  const p = spawn(process.execPath, ["--import", "tsx", ...args], {
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
  const waitFor = (marker: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (out.includes(`${marker}\n`)) return resolve();
        if (p.exitCode !== null) return reject(new Error(`child exited before ${marker}: ${err}`));
        setTimeout(check, 10);
      };
      check();
    });
  return { p, done, waitFor };
}

const result = (out: string) =>
  JSON.parse(/RESULT (.*)/.exec(out)?.[1] ?? "null") as { runId: string; status: string } | null;

/** The lake's data (not the run log), file → content. A temp file of an atomic write the kill interrupted is
 * an orphan no reader sees (the lake's vacuum removes them), so it is left out. */
function lakeData(home: string) {
  const root = path.join(home, "lake");
  return Object.fromEntries(
    walk(root)
      .filter((f) => !f.includes("_pipeline/") && !/\.tmp\d+$/.test(f))
      .map((f) => [f, readFileSync(path.join(root, f), "utf8")]),
  );
}

const tmp = () => mkdtempSync(path.join(tmpdir(), "pipeline-faults-"));

describe("FileLock", () => {
  it("refuses a second holder with a message naming the live one", () => {
    const lock = new FileLock(path.join(tmp(), "pipeline.lock"));
    const h = lock.acquire();
    try {
      expect(() => lock.acquire()).toThrow(LockHeldError);
      expect(() => lock.acquire()).toThrow(
        new RegExp(`another pipeline run is in progress \\(pid ${process.pid} on ${hostname()}`),
      );
    } finally {
      h.release();
    }
    lock.acquire().release(); // free again after release
  });

  it("takes over a lock whose holder died (pid gone) or went silent (stale heartbeat)", async () => {
    const file = path.join(tmp(), "pipeline.lock");
    const dead = spawn(process.execPath, ["-e", "0"]);
    await new Promise((r) => dead.on("close", r));
    const old = new Date(Date.now() - 120_000).toISOString();
    writeFileSync(
      file,
      JSON.stringify({
        pid: dead.pid,
        host: hostname(),
        startedAt: old,
        heartbeatAt: new Date().toISOString(),
      }),
    );

    new FileLock(file).acquire().release();

    writeFileSync(
      file,
      JSON.stringify({ pid: 1, host: "elsewhere", startedAt: old, heartbeatAt: new Date().toISOString() }),
    );
    expect(() => new FileLock(file).acquire()).toThrow(/pid 1 on elsewhere/);
    writeFileSync(file, JSON.stringify({ pid: 1, host: "elsewhere", startedAt: old, heartbeatAt: old }));
    new FileLock(file, { staleMs: 60_000 }).acquire().release();
  });
});

describe("pipeline run in a child process", () => {
  it("a second run while one is running gets a clear message and changes nothing", async () => {
    const home = tmp();
    // the first run holds after its first part until released, however slow the second is to start
    const release = path.join(home, "release");
    const first = child(home, 0, release);
    await first.waitFor("bookings:part:0");

    const second = await child(home).done;
    writeFileSync(release, "");

    expect(second.code).toBe(3);
    expect(second.err).toMatch(/another pipeline run is in progress \(pid \d+/);
    const r = await first.done;
    expect(result(r.out)?.status).toBe("succeeded");
    expect(
      await new RunLog({ store: new DirStore(path.join(home, "lake")), bucket: "raw" }).list(),
    ).toHaveLength(1);
  });

  it.each(["bookings:part:2", "crawl", "model:part:1", "predictions:part:2"])(
    "killed (SIGKILL) at %s, the next run resumes and ends in the same lake as an uninterrupted run",
    async (killAt) => {
      const reference = tmp();
      expect(result((await child(reference).done).out)?.status).toBe("succeeded");
      const home = tmp();
      const victim = child(home, 100);
      await victim.waitFor(killAt);
      victim.p.kill("SIGKILL");
      const killed = await victim.done;
      expect(killed.signal).toBe("SIGKILL");
      const log = new RunLog({ store: new DirStore(path.join(home, "lake")), bucket: "raw" });
      const interrupted = (await log.latest())!;
      expect(interrupted.status).toBe("running");

      const rerun = await child(home).done;

      expect(rerun.code).toBe(0);
      expect(result(rerun.out)).toEqual({ runId: interrupted.runId, status: "succeeded" });
      expect(lakeData(home)).toEqual(lakeData(reference));
      // Steps finished before the kill were not redone.
      const finished = interrupted.steps.filter((s) => s.status === "succeeded").map((s) => s.name);
      const after = (await log.get(interrupted.runId))!;
      for (const name of finished) expect(after.steps.find((s) => s.name === name)?.attempt).toBe(1);
      expect(rerun.out).not.toMatch(/^ingest$/m);
    },
  );
});
