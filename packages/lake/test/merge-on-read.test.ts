import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { curatedHotelDaily, schemaHash } from "@hotels/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  crawl,
  type DataFile,
  dataFileKey,
  deltaFileKey,
  deltaLayers,
  mergeOnReadSql,
  newRunId,
  nextLayer,
} from "../src/index.ts";
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

const lake = () => tempLake("lake-mor-");
type Lake = TempLake;

/** hotel_daily rows (typed as the schema derives them) for days 1..n of a month; `occupied` tells versions
 * apart. `columns` adds the partition columns as real columns (a delta file). */
const daily = (y: number, m: number, days: readonly number[], occupied: number, columns = false) =>
  `select 1::INTEGER hotel_id, 'Resort'::VARCHAR hotel, make_date(${y}, ${m}, d) stay_date,
     ${occupied}::BIGINT occupied_rooms, 300.00::DECIMAL(14,2) room_revenue, 100.00::DECIMAL(10,2) adr,
     1::BIGINT arrivals, 0::BIGINT cancellations${columns ? `, ${y}::INTEGER stay_year, ${m}::INTEGER stay_month` : ""}
   from unnest([${days.join(", ")}]) t(d)`;

async function write(l: Lake, key: string, select: string, rows: number) {
  const file = l.store.localPath("curated", key);
  mkdirSync(path.dirname(file), { recursive: true });
  await conn.run(`copy (${select}) to '${file}' (format parquet)`);
  return { key, rows, bytes: statSync(file).size };
}

/** Base: days 1..3 of 2017-07 and 2017-08 (occupied 1). Delta: 2017-07-02 and 2017-09-01 (occupied 2):
 * one superseded base row, one row in a partition no base file has. */
async function baseAndDelta(l: Lake) {
  const run = newRunId();
  const base: DataFile[] = [];
  for (const [i, m] of [7, 8].entries()) {
    const partition = { stay_year: "2017", stay_month: String(m) };
    base.push({
      ...(await write(l, dataFileKey("hotel_daily", run, i, partition), daily(2017, m, [1, 2, 3], 1), 3)),
      partition,
    });
  }
  const hash = schemaHash(curatedHotelDaily);
  await l.log.commit("curated", "hotel_daily", {
    runId: run,
    files: base,
    schemaHash: hash,
    operation: "overwrite",
  });
  const run2 = newRunId();
  const delta: DataFile = {
    ...(await write(
      l,
      deltaFileKey("hotel_daily", run2),
      `${daily(2017, 7, [2], 2, true)} union all ${daily(2017, 9, [1], 2, true)}`,
      2,
    )),
    role: "delta",
    supersedes: 1,
    layer: 1,
    partitions: [
      { stay_year: "2017", stay_month: "7" },
      { stay_year: "2017", stay_month: "9" },
    ],
  };
  const snap = await l.log.commit("curated", "hotel_daily", {
    runId: run2,
    files: [delta],
    schemaHash: hash,
    operation: "delta",
    key: ["hotel_id", "stay_date"],
  });
  return { base, delta, snap };
}

const COLUMNS = ["hotel_id", "stay_date", "occupied_rooms", "stay_year", "stay_month"];

/** The base files, and one relation per delta layer (oldest first). */
function relations(l: Lake, files: readonly DataFile[]) {
  const paths = (fs: readonly DataFile[]) => fs.map((f) => `'${l.store.localPath("curated", f.key)}'`);
  const base = files.filter((f) => (f.role ?? "base") === "base");
  return {
    base: `read_parquet([${paths(base).join(", ")}], hive_partitioning = true, hive_types = {'stay_year': INTEGER, 'stay_month': INTEGER})`,
    delta: deltaLayers(files).map((layer) => `read_parquet([${paths(layer).join(", ")}])`),
  };
}

/** A second delta layer on `baseAndDelta`: 2017-07-02 again (a newer version of layer 1's row) and
 * 2017-08-01 (a base row), occupied 3. */
async function secondLayer(l: Lake, files: readonly DataFile[], schemaHash: string) {
  const run = newRunId();
  const delta2: DataFile = {
    ...(await write(
      l,
      deltaFileKey("hotel_daily", run),
      `${daily(2017, 7, [2], 3, true)} union all ${daily(2017, 8, [1], 3, true)}`,
      2,
    )),
    role: "delta",
    supersedes: 2,
    layer: nextLayer(files),
    partitions: [
      { stay_year: "2017", stay_month: "7" },
      { stay_year: "2017", stay_month: "8" },
    ],
  };
  const next = await l.log.commit("curated", "hotel_daily", {
    runId: run,
    files: [delta2],
    schemaHash,
    operation: "delta",
  });
  return { delta2, next };
}

describe("merge-on-read snapshots", () => {
  it("a delta commit keeps every file, adds its delta files as a new layer and counts live rows", async () => {
    // prepare
    const l = lake();
    const { base, delta, snap } = await baseAndDelta(l);
    // act
    const { delta2, next } = await secondLayer(l, snap.files, snap.schemaHash);
    // assert
    expect(snap.rows).toBe(6 + 2 - 1);
    expect(next.files.map((f) => f.key)).toEqual([...base.map((f) => f.key), delta.key, delta2.key]);
    expect(deltaLayers(next.files).map((fs) => fs.map((f) => f.layer))).toEqual([[1], [2]]);
    expect(next.key).toEqual(["hotel_id", "stay_date"]); // kept from the previous snapshot
    expect(next.rows).toBe(7 + 2 - 2);
    expect(next).toMatchObject({ added: 1, removed: 0 });
  });

  it("refuses a delta file without key columns, and a delta commit of base files", async () => {
    // prepare
    const l = lake();
    const run = newRunId();
    const f = await write(l, deltaFileKey("hotel_daily", run), daily(2017, 7, [1], 1, true), 1);
    const input = { runId: run, schemaHash: "x" } as const;
    // act / assert
    await expect(
      l.log.commit("curated", "hotel_daily", {
        ...input,
        files: [{ ...f, role: "delta" }],
        operation: "overwrite",
      }),
    ).rejects.toThrow(/needs its key column/);
    await expect(
      l.log.commit("curated", "hotel_daily", { ...input, files: [f], operation: "delta", key: ["hotel_id"] }),
    ).rejects.toThrow(/only delta files/);
  });

  it("reads base rows not superseded plus the delta rows; a partition filter still applies", async () => {
    // prepare
    const l = lake();
    const { snap } = await baseAndDelta(l);
    const sql = mergeOnReadSql({
      ...relations(l, snap.files),
      key: ["hotel_id", "stay_date"],
      columns: COLUMNS,
    });
    // act
    const all = (await conn.runAndReadAll(`SELECT * FROM (${sql}) ORDER BY stay_date`)).getRowObjectsJson();
    const july = (
      await conn.runAndReadAll(`SELECT * FROM (${sql}) WHERE stay_month = 7 ORDER BY stay_date`)
    ).getRowObjectsJson();
    // assert
    expect(all).toHaveLength(snap.rows);
    expect(all.map((r) => `${r.stay_date}:${r.occupied_rooms}`)).toEqual([
      "2017-07-01:1",
      "2017-07-02:2",
      "2017-07-03:1",
      "2017-08-01:1",
      "2017-08-02:1",
      "2017-08-03:1",
      "2017-09-01:2",
    ]);
    expect(july.map((r) => `${r.stay_date}:${r.occupied_rooms}:${r.stay_year}-${r.stay_month}`)).toEqual([
      "2017-07-01:1:2017-7",
      "2017-07-02:2:2017-7",
      "2017-07-03:1:2017-7",
    ]);
  });

  it("reads each key's row of the newest layer that holds it", async () => {
    // prepare
    const l = lake();
    const { snap } = await baseAndDelta(l);
    const { next } = await secondLayer(l, snap.files, snap.schemaHash);
    const sql = mergeOnReadSql({
      ...relations(l, next.files),
      key: ["hotel_id", "stay_date"],
      columns: COLUMNS,
    });
    // act
    const all = (await conn.runAndReadAll(`SELECT * FROM (${sql}) ORDER BY stay_date`)).getRowObjectsJson();
    // assert
    expect(all).toHaveLength(next.rows);
    expect(all.map((r) => `${r.stay_date}:${r.occupied_rooms}`)).toEqual([
      "2017-07-01:1",
      "2017-07-02:3",
      "2017-07-03:1",
      "2017-08-01:3",
      "2017-08-02:1",
      "2017-08-03:1",
      "2017-09-01:2",
    ]);
  });

  it("without a delta the base is read as it is", async () => {
    const sql = mergeOnReadSql({ base: "(SELECT 1 AS k, 2 AS v)", key: ["k"], columns: ["k", "v"] });
    expect((await conn.runAndReadAll(sql)).getRowObjectsJson()).toEqual([{ k: 1, v: 2 }]);
  });

  it("the crawler registers the union of base and delta partitions, with no drift", async () => {
    // prepare
    const l = lake();
    await baseAndDelta(l);
    // act
    const report = await crawl(l);
    // assert
    expect(report.drift).toEqual([]);
    const parts = await l.catalog.getPartitions("curated", "hotel_daily");
    expect(parts.map((p) => p.Values.join("-")).sort()).toEqual(["2017-7", "2017-8", "2017-9"]);
    expect(report.tables[0]).toMatchObject({ rows: 7, files: 3, partitions: 3, skippedPartitions: [] });
  });

  it("the crawler's symlink manifests list only base files: a partition only a delta reaches has none", async () => {
    // prepare
    const l = lake();
    const { base } = await baseAndDelta(l);
    // act
    const report = await crawl(l);
    // assert: Athena reads the state at the last compaction (the base)
    const keys: string[] = [];
    for await (const o of l.store.list("curated", "hotel_daily/_symlink_format_manifest/")) keys.push(o.key);
    expect(keys.filter((k) => k.endsWith("/manifest"))).toEqual([
      "hotel_daily/_symlink_format_manifest/stay_year=2017/stay_month=7/manifest",
      "hotel_daily/_symlink_format_manifest/stay_year=2017/stay_month=8/manifest",
    ]);
    const july = new TextDecoder().decode(
      await l.store.get(
        "curated",
        "hotel_daily/_symlink_format_manifest/stay_year=2017/stay_month=7/manifest",
      ),
    );
    expect(july).toBe(`${l.layout.uri("curated", base[0]!.key)}\n`);
    expect(report.tables[0]!.manifests).toEqual({ version: 2, written: 2, deleted: 0 });
    // September is registered (at its manifest folder, empty until a compaction writes base files there)
    const parts = await l.catalog.getPartitions("curated", "hotel_daily");
    expect(parts.find((p) => p.Values[1] === "9")?.StorageDescriptor.Location).toBe(
      l.layout.uri("curated", "hotel_daily/_symlink_format_manifest/stay_year=2017/stay_month=9/"),
    );
  });
});
