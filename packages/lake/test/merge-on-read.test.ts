import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { curatedHotelDaily, schemaHash } from "@hotels/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crawl, type DataFile, dataFileKey, deltaFileKey, mergeOnReadSql, newRunId } from "../src/index.ts";
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

function relations(l: Lake, files: readonly DataFile[]) {
  const paths = (role: "base" | "delta") =>
    files.filter((f) => (f.role ?? "base") === role).map((f) => `'${l.store.localPath("curated", f.key)}'`);
  return {
    base: `read_parquet([${paths("base").join(", ")}], hive_partitioning = true, hive_types = {'stay_year': INTEGER, 'stay_month': INTEGER})`,
    delta: `read_parquet([${paths("delta").join(", ")}])`,
  };
}

describe("merge-on-read snapshots", () => {
  it("a delta commit keeps the base files, replaces the delta files and counts live rows", async () => {
    // prepare
    const l = lake();
    const { base, snap } = await baseAndDelta(l);
    const run = newRunId();
    const delta2: DataFile = {
      ...(await write(l, deltaFileKey("hotel_daily", run), daily(2017, 8, [1, 2], 3, true), 2)),
      role: "delta",
      supersedes: 2,
      partitions: [{ stay_year: "2017", stay_month: "8" }],
    };
    // act
    const next = await l.log.commit("curated", "hotel_daily", {
      runId: run,
      files: [delta2],
      schemaHash: snap.schemaHash,
      operation: "delta",
    });
    // assert
    expect(snap.rows).toBe(6 + 2 - 1);
    expect(next.files.map((f) => f.key)).toEqual([...base.map((f) => f.key), delta2.key]);
    expect(next.key).toEqual(["hotel_id", "stay_date"]); // kept from the previous snapshot
    expect(next.rows).toBe(6 + 2 - 2);
    expect(next).toMatchObject({ added: 1, removed: 1 });
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
});
