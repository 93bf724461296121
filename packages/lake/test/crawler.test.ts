import { spawnSync } from "node:child_process";
import { readFileSync, utimesSync } from "node:fs";
import { hostname } from "node:os";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { curatedHotelDaily, curatedHotels, glueTableInput, schemaHash } from "@hotels/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  awsLayout,
  CRAWL_PARAMS,
  crawl,
  type DataFile,
  dataFileKey,
  duckdbParquetColumns,
  newRunId,
  S3ObjectStore,
  TableLog,
} from "../src/index.ts";
import { dailySelect, hotelDailyFixture, sampleSelect } from "./hotel-daily-fixture.ts";
import { startS3 } from "./s3-server.ts";
import { type TempLake, tempLake } from "./temp-lake.ts";

let duck: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  duck = await DuckDBInstance.create();
  conn = await duck.connect();
});
afterAll(() => {
  conn?.closeSync();
  duck?.closeSync();
});

const lake = () => tempLake("lake-");
type Lake = TempLake;

const { writeParquet, commitDaily } = hotelDailyFixture(() => conn);

async function collectKeys(l: Lake, prefix: string) {
  const keys: string[] = [];
  for await (const o of l.store.list("curated", prefix)) keys.push(o.key);
  return keys;
}

describe("crawl", () => {
  it("catalogs committed tables with the schema's definition and registers new partitions once", async () => {
    // prepare
    const l = lake();
    await commitDaily(l, [
      [2017, 7],
      [2017, 8],
    ]);
    // an orphan from a crashed run: in the folder but in no snapshot
    await writeParquet(
      l,
      "curated",
      "hotel_daily/stay_year=2030/stay_month=1/crashed-00000.parquet",
      dailySelect(2030, 1),
      1,
    );
    // act
    const first = await crawl(l);
    const second = await crawl(l);
    // assert
    expect(first.drift).toEqual([]);
    expect(first.tables).toEqual([
      expect.objectContaining({
        table: "curated.hotel_daily",
        version: 1,
        rows: 2,
        files: 2,
        action: "created",
        partitionsAdded: 2,
        partitions: 2,
        filesInspected: 2,
        skippedPartitions: [],
      }),
    ]);
    const t = await l.catalog.getTable("curated", "hotel_daily");
    const expected = glueTableInput(curatedHotelDaily, l.layout.uri("curated", "hotel_daily/"));
    expect(t?.StorageDescriptor).toEqual(expected.StorageDescriptor);
    expect(t?.PartitionKeys).toEqual(expected.PartitionKeys);
    expect(t?.Parameters).toMatchObject({ [CRAWL_PARAMS.version]: "1", [CRAWL_PARAMS.rows]: "2" });
    const parts = await l.catalog.getPartitions("curated", "hotel_daily");
    expect(parts.map((p) => p.Values)).toEqual([
      ["2017", "7"],
      ["2017", "8"],
    ]);
    expect(parts[0]!.StorageDescriptor.Location).toBe(
      l.layout.uri("curated", "hotel_daily/_symlink_format_manifest/stay_year=2017/stay_month=7/"),
    );
    expect(second.tables[0]).toMatchObject({ action: "unchanged", partitionsAdded: 0, filesInspected: 0 });
    expect(second.partitionsAdded).toBe(0);
  });

  /** A lake whose hotel_daily had July and August (catalogued), then a full rebuild holding only August. */
  async function augustOnlyAfterJulyAndAugust() {
    const l = lake();
    await commitDaily(l, [
      [2017, 7],
      [2017, 8],
    ]);
    await crawl(l);
    await commitDaily(l, [[2017, 8]], false, "overwrite");
    return l;
  }

  it("removes catalog partitions the current snapshot no longer has, once", async () => {
    // prepare: July and August catalogued, then a full rebuild that holds only August
    const l = await augustOnlyAfterJulyAndAugust();
    // act
    const first = await crawl(l);
    const second = await crawl(l);
    // assert
    expect(first.tables[0]).toMatchObject({
      version: 2,
      partitionsAdded: 0,
      partitionsRemoved: 1,
      partitions: 1,
      stalePartitions: 0,
    });
    expect(first.partitionsRemoved).toBe(1);
    expect(await l.catalog.getPartitions("curated", "hotel_daily")).toEqual([
      {
        Values: ["2017", "8"],
        StorageDescriptor: {
          Location: l.layout.uri(
            "curated",
            "hotel_daily/_symlink_format_manifest/stay_year=2017/stay_month=8/",
          ),
        },
      },
    ]);
    expect(second.tables[0]).toMatchObject({ partitionsAdded: 0, partitionsRemoved: 0, partitions: 1 });
    expect(second.partitionsRemoved).toBe(0);
  });

  it("removes no partition of a table whose snapshot could not be read, or has a file of unknown partition", async () => {
    // prepare: July and August catalogued, then version 2 (August only) whose snapshot object is lost
    const l = await augustOnlyAfterJulyAndAugust();
    const v2key = (await collectKeys(l, "_snapshots/hotel_daily/")).find((k) => /\/0*2\.json$/.test(k))!;
    const saved = await l.store.get("curated", v2key);
    const before = await l.catalog.getPartitions("curated", "hotel_daily");
    // act + assert: version file missing → table not crawled; unparseable → crawl fails; both keep partitions
    await l.store.delete("curated", v2key);
    expect((await crawl(l)).tables).toEqual([]);
    await l.store.put("curated", v2key, "{ not json");
    await expect(crawl(l)).rejects.toThrow(SyntaxError);
    expect(await l.catalog.getPartitions("curated", "hotel_daily")).toEqual(before);

    // a snapshot with a file outside any Hive folder and no partition values: its rows may be July's, so
    // July is not presumed gone; it is kept and reported as stale.
    await l.store.put("curated", v2key, saved);
    const run = newRunId();
    const f = await writeParquet(l, "curated", `hotel_daily/${run}-00000.parquet`, dailySelect(2017, 7), 1);
    await l.log.commit("curated", "hotel_daily", {
      runId: run,
      files: [f],
      schemaHash: schemaHash(curatedHotelDaily),
      operation: "append",
    });
    const r = await crawl(l);
    expect(r.tables[0]).toMatchObject({
      version: 3,
      partitionsRemoved: 0,
      partitions: 2,
      stalePartitions: 1,
    });
    expect(r.tables[0]!.skippedPartitions).toEqual([
      {
        values: ["", ""],
        reason: expect.stringMatching(/no value for partition key\(s\) stay_year, stay_month/),
      },
    ]);
    expect(await l.catalog.getPartitions("curated", "hotel_daily")).toEqual(before);
  });

  it("reports a changed column type and an unknown column, withholds that partition, keeps the table schema", async () => {
    // prepare: a good month catalogued, then a run writes a month with adr as DOUBLE and an extra column
    const l = lake();
    await commitDaily(l, [[2017, 7]]);
    await crawl(l);
    await commitDaily(l, [[2017, 9]], true);
    await commitDaily(l, [[2017, 10]]);
    // act
    const r = await crawl(l);
    // assert
    const tr = r.tables[0]!;
    expect(tr).toMatchObject({ version: 3, partitionsAdded: 1, partitions: 2 });
    expect(tr.skippedPartitions).toEqual([
      {
        values: ["2017", "9"],
        reason: expect.stringMatching(/column adr is double, the schema says decimal\(10,2\)/),
      },
    ]);
    const drifted = r.drift.find((d) => d.kind === "type-changed")!;
    expect(drifted).toMatchObject({
      table: "curated.hotel_daily",
      column: "adr",
      expected: "decimal(10,2)",
      found: "double",
      source: "files",
    });
    expect(drifted.files).toEqual([expect.stringMatching(/^hotel_daily\/stay_year=2017\/stay_month=9\//)]);
    expect(r.drift.find((d) => d.kind === "unknown-column")).toMatchObject({
      column: "promo_code",
      found: "string",
    });
    const t = await l.catalog.getTable("curated", "hotel_daily");
    expect(t?.StorageDescriptor.Columns.find((c) => c.Name === "adr")?.Type).toBe("decimal(10,2)");
    expect(t?.StorageDescriptor.Columns.some((c) => c.Name === "promo_code")).toBe(false);
    expect((await l.catalog.getPartitions("curated", "hotel_daily")).map((p) => p.Values[1])).toEqual([
      "7",
      "10",
    ]);
    // The withheld partition is re-checked and reported again on the next crawl until it is fixed.
    const again = await crawl(l);
    expect(again.tables[0]!.skippedPartitions).toHaveLength(1);
    await commitDaily(l, [[2017, 9]]); // the job re-runs that month correctly
    const fixed = await crawl(l);
    expect(fixed.drift).toEqual([]);
    expect(fixed.tables[0]).toMatchObject({ partitionsAdded: 1, partitions: 3, skippedPartitions: [] });
  });

  it("reports a catalog definition that drifted (e.g. re-typed by an AWS crawler) and restores the schema's", async () => {
    const l = lake();
    const run = newRunId();
    const f = await writeParquet(l, "curated", dataFileKey("hotels", run, 0), sampleSelect(curatedHotels), 1);
    await l.log.commit("curated", "hotels", {
      runId: run,
      files: [f],
      schemaHash: schemaHash(curatedHotels),
      operation: "overwrite",
    });
    const r0 = await crawl({ ...l, tables: ["curated.hotels"] });
    expect(r0.drift).toEqual([]);
    const t = (await l.catalog.getTable("curated", "hotels"))!;
    const { DatabaseName: _d, UpdateTime: _u, ...input } = t;
    await l.catalog.putTable("curated", {
      ...input,
      StorageDescriptor: {
        ...input.StorageDescriptor,
        Columns: [
          ...input.StorageDescriptor.Columns.map((c) =>
            c.Name === "hotel_id" ? { ...c, Type: "string" } : c,
          ),
          { Name: "extra", Type: "string" },
        ],
      },
    });
    const r = await crawl({ ...l, tables: ["curated.hotels"] });
    expect(r.drift.filter((d) => d.source === "catalog")).toEqual([
      {
        table: "curated.hotels",
        column: "hotel_id",
        kind: "type-changed",
        expected: "int",
        found: "string",
        source: "catalog",
        files: [],
      },
      {
        table: "curated.hotels",
        column: "extra",
        kind: "unknown-column",
        found: "string",
        source: "catalog",
        files: [],
      },
    ]);
    expect(r.tables[0]!.action).toBe("updated");
    const restored = await l.catalog.getTable("curated", "hotels");
    expect(restored?.StorageDescriptor.Columns).toEqual(
      glueTableInput(curatedHotels, l.layout.uri("curated", "hotels/")).StorageDescriptor.Columns,
    );
  });

  it("reports an unreadable file and a table name not in the schema", async () => {
    const l = lake();
    const run = newRunId();
    const key = dataFileKey("hotel_daily", run, 0, { stay_year: "2018", stay_month: "1" });
    await l.store.put("curated", key, "not parquet");
    await l.log.commit("curated", "hotel_daily", {
      runId: run,
      files: [{ key, rows: 1, bytes: 11, partition: { stay_year: "2018", stay_month: "1" } }],
      schemaHash: "x",
      operation: "append",
    });
    const r = await crawl(l);
    expect(r.drift).toEqual([expect.objectContaining({ kind: "unreadable", files: [key] })]);
    expect(r.tables[0]!.partitionsAdded).toBe(0);
    await expect(crawl({ ...l, tables: ["curated.nope"] })).rejects.toThrow(/no lake table curated.nope/);
  });

  it("coalesces concurrent requests: callers arriving during a crawl share one follow-up crawl", async () => {
    // prepare: a first crawl held inside its Parquet inspection
    const l = lake();
    await commitDaily(l, [[2017, 7]]);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const first = crawl({
      ...l,
      parquetColumns: async (store, bucket, keys) => {
        entered();
        await gate;
        return duckdbParquetColumns(store, bucket, keys);
      },
    });
    await inside;
    await commitDaily(l, [[2017, 8]]); // committed after the running crawl read its snapshot
    // act: two more requests while it runs
    const b = crawl(l);
    const c = crawl(l);
    release();
    const [ra, rb, rc] = await Promise.all([first, b, c]);
    // assert
    expect(ra).toMatchObject({
      coalesced: false,
      tables: [expect.objectContaining({ version: 1, partitionsAdded: 1 })],
    });
    expect(rb).toBe(rc);
    expect(rb).toMatchObject({
      coalesced: true,
      tables: [expect.objectContaining({ version: 2, partitionsAdded: 1 })],
    });
    expect((await l.catalog.getPartitions("curated", "hotel_daily")).map((p) => p.Values[1])).toEqual([
      "7",
      "8",
    ]);
    expect((await crawl(l)).coalesced).toBe(false); // nothing running: a fresh crawl
  });

  it("crawls a lake on S3 (s3rver): Parquet schemas read from downloaded objects, drift found the same way", async () => {
    // prepare: files written locally by DuckDB, uploaded to S3, committed there
    const s3 = await startS3(["hotels-dev-curated"]);
    try {
      const local = lake();
      const store = new S3ObjectStore({ client: s3.client });
      const layout = awsLayout({ prefix: "hotels", env: "dev" });
      const log = new TableLog({ store, layout });
      const run = newRunId();
      const files: DataFile[] = [];
      for (const [i, m] of [7, 8].entries()) {
        const partition = { stay_year: "2017", stay_month: String(m) };
        const key = dataFileKey("hotel_daily", run, i, partition);
        const f = await writeParquet(local, "curated", key, dailySelect(2017, m, m === 8), 1);
        await store.put("hotels-dev-curated", key, readFileSync(local.store.localPath("curated", key)));
        files.push({ ...f, partition });
      }
      await log.commit("curated", "hotel_daily", {
        runId: run,
        files,
        schemaHash: schemaHash(curatedHotelDaily),
        operation: "overwrite",
      });
      // act
      const r = await crawl({ store, layout, catalog: local.catalog });
      // assert
      expect(r.tables[0]).toMatchObject({ partitionsAdded: 1, filesInspected: 2 });
      expect(r.drift.map((d) => `${d.kind}:${d.column}`).sort()).toEqual([
        "type-changed:adr",
        "unknown-column:promo_code",
      ]);
      const parts = await local.catalog.getPartitions("curated", "hotel_daily");
      const july = "hotel_daily/_symlink_format_manifest/stay_year=2017/stay_month=7/";
      expect(parts).toEqual([
        { Values: ["2017", "7"], StorageDescriptor: { Location: `s3://hotels-dev-curated/${july}` } },
      ]);
      // the manifest Athena reads for July: the committed file's s3:// URI
      const manifest = new TextDecoder().decode(await store.get("hotels-dev-curated", `${july}manifest`));
      expect(manifest).toBe(`s3://hotels-dev-curated/${files[0]!.key}\n`);
      expect(r.tables[0]!.manifests).toEqual({ version: 1, written: 2, deleted: 0 });
    } finally {
      await s3.close();
    }
  });

  it("waits for another process's crawl lock, and takes over a stale one", async () => {
    const l = lake();
    await commitDaily(l, [[2017, 7]]);
    const lockKey = "_locks/crawler.lock";
    await l.store.put("curated", lockKey, JSON.stringify({ owner: "other", pid: 1, host: "elsewhere" }));
    const released = new Promise((r) => setTimeout(r, 600)).then(() => l.store.delete("curated", lockKey));
    const r = await crawl({ ...l, lock: { pollMs: 50 } });
    await released;
    expect(r.waitedForLockMs).toBeGreaterThanOrEqual(500);
    expect(r.tables[0]!.partitionsAdded).toBe(1);
    expect(await l.store.head("curated", lockKey)).toBeUndefined();

    // a dead holder's lock (not refreshed for longer than staleMs) is taken over
    await l.store.put("curated", lockKey, JSON.stringify({ owner: "dead", pid: 1, host: "elsewhere" }));
    const old = new Date(Date.now() - 60_000);
    utimesSync(l.store.localPath("curated", lockKey), old, old);
    const warnings: string[] = [];
    const onWarn = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarn);
    const r2 = await crawl({ ...l, lock: { staleMs: 10_000, pollMs: 50 } });
    process.off("warning", onWarn);
    expect(r2.waitedForLockMs).toBeLessThan(5_000);
    await new Promise((r) => setImmediate(r));
    expect(warnings.join()).toMatch(/took over stale lock/);
  });

  it("takes over at once a fresh lock whose holder was a process of this host that has died", async () => {
    // prepare: a lock just written by a child process that has exited since (killed mid-crawl).
    const l = lake();
    await commitDaily(l, [[2017, 7]]);
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
    const deadPid = Number(child.stdout.toString());
    const lockKey = "_locks/crawler.lock";
    await l.store.put(
      "curated",
      lockKey,
      JSON.stringify({ owner: "killed", pid: deadPid, host: hostname() }),
    );

    // act
    const r = await crawl({ ...l, lock: { pollMs: 50 } });

    // assert: no wait for the 5-minute staleness, the crawl ran and released the lock.
    expect(r.waitedForLockMs).toBeLessThan(1_000);
    expect(r.tables[0]!.partitionsAdded).toBe(1);
    expect(await l.store.head("curated", lockKey)).toBeUndefined();
  });
});
