import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LocalObjectStore, localLayout, TableLog } from "../src/index.ts";

const here = import.meta.dirname;

/** Runs kill-child.ts and SIGKILLs it once it prints `mark`. */
function runAndKill(root: string, mode: string, mark: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // node --import tsx (not the tsx CLI, which runs the script in a grandchild that SIGKILL would miss)
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "kill-child.ts"), root, mode], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      if (out.includes(`${mark}\n`)) child.kill("SIGKILL");
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d;
    });
    child.on("close", (_code, signal) =>
      signal === "SIGKILL" ? resolve() : reject(new Error(`child was not killed: ${err.slice(-2000)}`)),
    );
  });
}

async function committedLake() {
  const root = mkdtempSync(path.join(tmpdir(), "lake-kill-"));
  const store = new LocalObjectStore(root);
  const log = new TableLog({ store, layout: localLayout(root) });
  await store.put("curated", "t/run1-00000.parquet", "v1 data");
  await log.commit("curated", "t", {
    runId: "run1",
    files: [{ key: "t/run1-00000.parquet", rows: 1, bytes: 7 }],
    schemaHash: "h",
    operation: "overwrite",
  });
  return { root, store, log };
}

const keys = async (store: LocalObjectStore) => {
  const out: string[] = [];
  for await (const o of store.list("curated", "t/")) out.push(o.key);
  return out;
};

describe("a writer killed with SIGKILL", () => {
  it("mid-put: no half object is visible, the committed state reads as before, vacuum sweeps the temp file", async () => {
    // prepare
    const { root, store, log } = await committedLake();
    // act
    await runAndKill(root, "mid-put", "writing");
    // assert
    expect(await store.head("curated", "t/run2-00000.parquet")).toBeUndefined();
    expect(await keys(store)).toEqual(["t/run1-00000.parquet"]);
    const leftovers = readdirSync(path.join(root, "curated", "t")).filter((f) => f.startsWith(".tmp-"));
    expect(leftovers).toHaveLength(1);
    expect((await log.current("curated", "t"))?.files.map((f) => f.key)).toEqual(["t/run1-00000.parquet"]);
    // the next run completes the work, then vacuum removes the dead writer's remains
    await store.put("curated", "t/run3-00000.parquet", "v3 data");
    await log.commit("curated", "t", {
      runId: "run3",
      files: [{ key: "t/run3-00000.parquet", rows: 1, bytes: 7 }],
      schemaHash: "h",
      operation: "overwrite",
    });
    const v = await log.vacuum("curated", "t");
    expect(v.incomplete).toBe(1);
    expect(v.deleted).toEqual(["t/run1-00000.parquet"]);
    expect(readdirSync(path.join(root, "curated", "t"))).toEqual(["run3-00000.parquet"]);
  });

  it("before its commit: readers see the last snapshot only; the orphan is vacuumed after the next commit", async () => {
    const { root, store, log } = await committedLake();
    await runAndKill(root, "before-commit", "files-written");
    expect(await keys(store)).toEqual(["t/run1-00000.parquet", "t/run2-00000.parquet"]);
    const cur = await log.current("curated", "t");
    expect(cur).toMatchObject({ version: 1, rows: 1, files: [{ key: "t/run1-00000.parquet" }] });
    await store.put("curated", "t/run3-00000.parquet", "v3 data");
    await log.commit("curated", "t", {
      runId: "run3",
      files: [{ key: "t/run3-00000.parquet", rows: 1, bytes: 7 }],
      schemaHash: "h",
      operation: "append",
      expectedVersion: 1,
    });
    const v = await log.vacuum("curated", "t");
    expect(v.deleted).toEqual(["t/run2-00000.parquet"]);
    expect(await keys(store)).toEqual(["t/run1-00000.parquet", "t/run3-00000.parquet"]);
  });
});
