import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyOperation,
  ConcurrentCommitError,
  type DataFile,
  dataFileKey,
  type LakeLayout,
  LocalObjectStore,
  localLayout,
  newRunId,
  type ObjectStore,
  parsePartition,
  publishedKey,
  S3ObjectStore,
  TableLog,
  writePublished,
} from "../src/index.ts";
import { startS3, type TestS3 } from "./s3-server.ts";

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3(["curated"]);
});
afterAll(async () => {
  await s3?.close();
});

/** Writes a data file and returns its DataFile entry. */
async function write(
  store: ObjectStore,
  table: string,
  runId: string,
  part: number,
  rows: number,
  partition?: Record<string, string>,
): Promise<DataFile> {
  const key = dataFileKey(table, runId, part, partition);
  const body = "x".repeat(rows);
  await store.put("curated", key, body);
  return { key, rows, bytes: body.length, ...(partition ? { partition } : {}) };
}

let tableN = 0;
const setups: [string, () => { store: ObjectStore; layout: LakeLayout }][] = [
  [
    "local folder",
    () => {
      const root = mkdtempSync(path.join(tmpdir(), "lake-"));
      return { store: new LocalObjectStore(root), layout: localLayout(root) };
    },
  ],
  ["s3rver", () => ({ store: new S3ObjectStore({ client: s3.client }), layout: localLayout("/unused") })],
];

describe.each(setups)("TableLog on %s", (_name, setup) => {
  let store: ObjectStore;
  let log: TableLog;
  let table: string;
  beforeAll(() => {
    const s = setup();
    store = s.store;
    log = new TableLog({ store, layout: s.layout });
  });
  const fresh = () => {
    table = `t${++tableN}`;
  };

  it("has no snapshot before the first commit, then exactly the committed files", async () => {
    fresh();
    expect(await log.current("curated", table)).toBeUndefined();
    const run = newRunId();
    const f1 = await write(store, table, run, 0, 10);
    const f2 = await write(store, table, run, 1, 5);
    const s = await log.commit("curated", table, {
      runId: run,
      files: [f1, f2],
      schemaHash: "h1",
      watermark: "2026-01-01T00:00:00Z",
      operation: "overwrite",
    });
    expect(s).toMatchObject({ table: `curated.${table}`, version: 1, rows: 15, added: 2, removed: 0 });
    const cur = await log.current("curated", table);
    expect(cur).toEqual(s);
    expect(cur?.files.map((f) => f.key)).toEqual([f1.key, f2.key]);
    expect(cur?.watermark).toBe("2026-01-01T00:00:00Z");
  });

  it("appends, replaces partitions keeping untouched ones, overwrites", async () => {
    fresh();
    const r1 = newRunId();
    const p7 = { arrival_year: "2017", arrival_month: "7" };
    const p8 = { arrival_year: "2017", arrival_month: "8" };
    const a = await write(store, table, r1, 0, 3, p7);
    const b = await write(store, table, r1, 1, 4, p8);
    await log.commit("curated", table, { runId: r1, files: [a, b], schemaHash: "h", operation: "append" });
    const r2 = newRunId();
    const a2 = await write(store, table, r2, 0, 6, p7);
    const s2 = await log.commit("curated", table, {
      runId: r2,
      files: [a2],
      schemaHash: "h",
      operation: "replace-partitions",
    });
    expect(s2.files.map((f) => f.key).sort()).toEqual([b.key, a2.key].sort());
    expect(s2).toMatchObject({ version: 2, rows: 10, added: 1, removed: 1 });
    const r3 = newRunId();
    const c = await write(store, table, r3, 0, 1, p8);
    const s3snap = await log.commit("curated", table, {
      runId: r3,
      files: [c],
      schemaHash: "h",
      operation: "append",
    });
    expect(s3snap.rows).toBe(11);
    const s4 = await log.commit("curated", table, {
      runId: newRunId(),
      files: [c],
      schemaHash: "h",
      operation: "overwrite",
    });
    expect(s4).toMatchObject({ version: 4, rows: 1, removed: 2 });
    expect(await log.versions("curated", table)).toEqual([1, 2, 3, 4]);
    expect(await log.tables("curated")).toContain(table);
  });

  it("refuses to commit a missing file, a wrong size, or the same file twice", async () => {
    fresh();
    const run = newRunId();
    const f = await write(store, table, run, 0, 2);
    await expect(
      log.commit("curated", table, {
        runId: run,
        files: [{ key: `${table}/ghost.parquet`, rows: 1, bytes: 1 }],
        schemaHash: "h",
        operation: "append",
      }),
    ).rejects.toThrow(/ghost\.parquet: no such object/);
    await expect(
      log.commit("curated", table, {
        runId: run,
        files: [{ ...f, bytes: 99 }],
        schemaHash: "h",
        operation: "append",
      }),
    ).rejects.toThrow(/2 bytes in the store, 99 stated/);
    await log.commit("curated", table, { runId: run, files: [f], schemaHash: "h", operation: "append" });
    await expect(
      log.commit("curated", table, { runId: run, files: [f], schemaHash: "h", operation: "append" }),
    ).rejects.toThrow(/listed twice/);
    expect((await log.current("curated", table))?.version).toBe(1);
  });

  it("optimistic concurrency: of two commits expecting the same version one wins, the other fails clearly", async () => {
    fresh();
    const run = newRunId();
    const f = await write(store, table, run, 0, 1);
    const g = await write(store, table, run, 1, 1);
    const results = await Promise.allSettled(
      [f, g].map((x) =>
        log.commit("curated", table, {
          runId: run,
          files: [x],
          schemaHash: "h",
          operation: "append",
          expectedVersion: 0,
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConcurrentCommitError);
    expect(String(lost.reason.message)).toMatch(/version 1|current version is 1/);
    // Without expectedVersion, concurrent appends all land (retried on top of each other).
    const more = await Promise.all([2, 3, 4].map((i) => write(store, table, run, i, 1)));
    await Promise.all(
      more.map((x) =>
        log.commit("curated", table, { runId: run, files: [x], schemaHash: "h", operation: "append" }),
      ),
    );
    const cur = await log.current("curated", table);
    expect(cur).toMatchObject({ version: 4, rows: 4 });
  });

  it("rolls forward past a stale _current pointer (crash between commit and pointer update)", async () => {
    fresh();
    const run = newRunId();
    const f = await write(store, table, run, 0, 1);
    await log.commit("curated", table, { runId: run, files: [f], schemaHash: "h", operation: "append" });
    const g = await write(store, table, run, 1, 2);
    await log.commit("curated", table, { runId: run, files: [g], schemaHash: "h", operation: "append" });
    // simulate the crash: pointer back at version 1
    await store.put("curated", `_snapshots/${table}/_current`, JSON.stringify({ version: 1 }));
    expect((await log.current("curated", table))?.version).toBe(2);
    await store.delete("curated", `_snapshots/${table}/_current`);
    expect((await log.current("curated", table))?.rows).toBe(3);
  });

  it("vacuum deletes unreferenced files older than the current snapshot, never live or newer ones", async () => {
    fresh();
    const r1 = newRunId();
    const old = await write(store, table, r1, 0, 1);
    const orphan = await write(store, table, r1, 1, 1); // a crashed run's file: never committed
    await log.commit("curated", table, { runId: r1, files: [old], schemaHash: "h", operation: "overwrite" });
    await new Promise((r) => setTimeout(r, 1100)); // s3rver's Last-Modified has 1 s resolution
    const r2 = newRunId();
    const live = await write(store, table, r2, 0, 1);
    await new Promise((r) => setTimeout(r, 1100));
    await log.commit("curated", table, { runId: r2, files: [live], schemaHash: "h", operation: "overwrite" });
    await new Promise((r) => setTimeout(r, 1100));
    const inflight = await write(store, table, newRunId(), 0, 1); // a running writer's file: newer
    const dry = await log.vacuum("curated", table, { dryRun: true });
    expect([...dry.deleted].sort()).toEqual([old.key, orphan.key].sort());
    expect(await store.head("curated", old.key)).toBeDefined();
    const kept = await log.vacuum("curated", table, { retainVersions: 2 });
    expect(kept.deleted).toEqual([orphan.key]);
    const v = await log.vacuum("curated", table);
    expect(v.deleted).toEqual([old.key]);
    expect(await store.head("curated", live.key)).toBeDefined();
    expect(await store.head("curated", inflight.key)).toBeDefined();
  });

  it("vacuum keeps the files of the versions the symlink manifests publish, and never deletes manifests", async () => {
    // prepare: v1 published to external readers (its manifest lists its file), v2 and v3 committed since
    fresh();
    const files = [];
    for (let v = 1; v <= 3; v++) {
      const run = newRunId();
      const f = await write(store, table, run, 0, 1);
      files.push(f);
      await log.commit("curated", table, { runId: run, files: [f], schemaHash: "h", operation: "overwrite" });
      if (v === 1) {
        await store.put("curated", `${table}/_symlink_format_manifest/manifest`, `${f.key}\n`);
        await writePublished(store, "curated", table, {
          version: 1,
          versions: [1],
          root: "r",
          publishedAt: new Date().toISOString(),
          manifests: 1,
        });
      }
      await new Promise((r) => setTimeout(r, 1100)); // s3rver's Last-Modified has 1 s resolution
    }
    const [v1, v2, v3] = files as [DataFile, DataFile, DataFile];
    // act
    const r = await log.vacuum("curated", table);
    // assert: v2's file (neither current nor published) goes; v1's, v3's and the manifest folder stay
    expect(r.deleted).toEqual([v2.key]);
    for (const k of [v1.key, v3.key, `${table}/_symlink_format_manifest/manifest`, publishedKey(table)])
      expect(await store.head("curated", k)).toBeDefined();

    // act: a later crawl publishes v3
    await writePublished(store, "curated", table, {
      version: 3,
      versions: [3],
      root: "r",
      publishedAt: new Date().toISOString(),
      manifests: 1,
    });
    // assert
    expect((await log.vacuum("curated", table)).deleted).toEqual([v1.key]);
    expect(await store.head("curated", publishedKey(table))).toBeDefined();
  });
});

describe("snapshot helpers", () => {
  it("derives run-unique Hive-partitioned keys and parses them back", () => {
    const run = newRunId(new Date("2026-11-24T06:15:00.123Z"));
    expect(run).toMatch(/^20261124T061500Z-[0-9a-f]{6}$/);
    const key = dataFileKey("bookings", run, 3, { arrival_year: "2017", arrival_month: "7" });
    expect(key).toBe(`bookings/arrival_year=2017/arrival_month=7/${run}-00003.parquet`);
    expect(parsePartition(key)).toEqual({ arrival_year: "2017", arrival_month: "7" });
  });

  it("replace-partitions treats partitions by value, whatever the key order", () => {
    const f = (key: string, partition: Record<string, string>): DataFile => ({
      key,
      rows: 1,
      bytes: 1,
      partition,
    });
    const cur = [f("a", { y: "1", m: "2" }), f("b", { y: "1", m: "3" })];
    const out = applyOperation(cur, [f("c", { m: "2", y: "1" })], "replace-partitions");
    expect(out.map((x) => x.key)).toEqual(["b", "c"]);
  });
});
