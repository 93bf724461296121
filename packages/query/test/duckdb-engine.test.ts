import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { curatedBookings, curatedCustomers, etlRejects } from "@hotels/schema";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  DuckDbQueryEngine,
  describeTables,
  QueryAbortedError,
  QueryError,
  type QueryResult,
} from "../src/index.ts";
import { bookings, writeFixtureLake } from "./fixture-data.ts";
import { catalogTable, type Lake, openLake, writeDelta, writeTable } from "./lake-fixture.ts";

const root = mkdtempSync(path.join(tmpdir(), "hotels-duckdb-"));
let lake: Lake;
let engine: DuckDbQueryEngine;

beforeAll(async () => {
  lake = openLake(root);
  await writeFixtureLake(lake);
  engine = await DuckDbQueryEngine.create(lake);
});
afterAll(async () => {
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

const text = new TextDecoder();

describe("DuckDbQueryEngine", () => {
  test("results are typed: decimals as canonical strings, dates ISO, timestamps Date, bigint numbers, nulls", async () => {
    const r = await engine.query(
      `SELECT booking_id, adr, revenue, arrival_date, updated_at, children, is_canceled, arrival_year,
              CAST(adr AS double) AS adr_double, hotel = 'City Hotel' AS city
       FROM curated.bookings WHERE booking_id = ?`,
      [3],
    );
    expect(r.rows).toEqual([
      {
        booking_id: 3,
        adr: "80.25",
        revenue: "321.00",
        arrival_date: "2016-08-03",
        updated_at: new Date("2017-09-01T00:00:00Z"),
        children: null,
        is_canceled: 0,
        arrival_year: 2016,
        adr_double: 80.25,
        city: false,
      },
    ]);
    expect(Object.fromEntries(r.columns.map((c) => [c.name, c.type]))).toMatchObject({
      booking_id: { kind: "int64" },
      adr: { kind: "decimal", precision: 10, scale: 2 },
      arrival_date: { kind: "date" },
      updated_at: { kind: "timestamp" },
      is_canceled: { kind: "int32" },
      city: { kind: "boolean" },
    });
  });

  test("column-wise decoding: nulls past the first validity word, every decimal width, int64 and timestamps at the edges", async () => {
    const r = await engine.query(
      `SELECT i,
              CASE WHEN i % 67 = 0 THEN NULL ELSE CAST((i - 2500) / 10.0 AS DECIMAL(4,1)) END AS d16,
              CASE WHEN i % 71 = 0 THEN NULL ELSE CAST(-i / 7.0 AS DECIMAL(9,3)) END AS d32,
              CASE WHEN i = 2 THEN CAST('-9999999999999.99999' AS DECIMAL(18,5)) ELSE CAST(i / 3.0 AS DECIMAL(18,5)) END AS d64,
              CAST(-i / 4.0 AS DECIMAL(38,2)) AS d128,
              CASE WHEN i = 1 THEN 9007199254740993::BIGINT WHEN i = 3 THEN -9007199254740991::BIGINT ELSE i * 1000000000000 END AS big,
              DATE '1969-12-31' + CAST(i AS INTEGER) AS day,
              TIMESTAMP '1969-12-31 23:59:59.9995' + to_microseconds(i) AS ts,
              CASE WHEN i % 130 = 0 THEN NULL ELSE i % 2 = 0 END AS flag
       FROM range(5000) t(i) ORDER BY i`,
    );
    const ref = await engine.query(
      `SELECT CAST(CASE WHEN i % 67 = 0 THEN NULL ELSE CAST((i - 2500) / 10.0 AS DECIMAL(4,1)) END AS VARCHAR) AS d16,
              CAST(CASE WHEN i % 71 = 0 THEN NULL ELSE CAST(-i / 7.0 AS DECIMAL(9,3)) END AS VARCHAR) AS d32,
              CAST(CASE WHEN i = 2 THEN CAST('-9999999999999.99999' AS DECIMAL(18,5)) ELSE CAST(i / 3.0 AS DECIMAL(18,5)) END AS VARCHAR) AS d64,
              CAST(CAST(-i / 4.0 AS DECIMAL(38,2)) AS VARCHAR) AS d128,
              epoch_ms(TIMESTAMP '1969-12-31 23:59:59.9995' + to_microseconds(i)) AS ms
       FROM range(5000) t(i) ORDER BY i`,
    );
    expect(r.rows).toHaveLength(5000);
    for (const [i, row] of r.rows.entries()) {
      const want = ref.rows[i]!;
      expect(row.d16).toBe(want.d16);
      expect(row.d32).toBe(want.d32);
      expect(row.d64).toBe(want.d64);
      expect(row.d128).toBe(want.d128);
      expect((row.ts as Date).getTime()).toBe(Math.trunc(Number(want.ms)));
      expect(row.flag).toBe(i % 130 === 0 ? null : i % 2 === 0);
    }
    expect(r.rows.slice(0, 4).map((x) => x.big)).toEqual([
      0,
      "9007199254740993",
      2_000_000_000_000,
      -9007199254740991,
    ]);
    expect(r.rows.slice(0, 3).map((x) => x.day)).toEqual(["1969-12-31", "1970-01-01", "1970-01-02"]);
    expect(r.rows[2]!.d64).toBe("-9999999999999.99999");
    expect(r.rows[67]!.d16).toBeNull();
  });

  test("the catalogued tables are views <zone>.<table> with the schema's columns in order", async () => {
    const r = await engine.query(
      "SELECT table_schema, table_name FROM information_schema.tables ORDER BY 1, 2",
    );
    expect(r.rows.map((x) => `${x.table_schema}.${x.table_name}`)).toEqual([
      "curated.bookings",
      "curated.hotel_daily",
      "curated.hotels",
      "curated.reviews",
      "predictions.booking_cancellations",
    ]);
    const cols = await engine.query("SELECT * FROM curated.bookings LIMIT 0");
    expect(cols.columns.map((c) => c.name)).toEqual([
      ...curatedBookings.columns.map((c) => c.name),
      "arrival_year",
      "arrival_month",
    ]);
  });

  test("parameters are bound, never spliced into the SQL: an injection attempt is just a string", async () => {
    const attack = "City Hotel' OR '1'='1";
    const r = await engine.query("SELECT count(*) AS n FROM curated.bookings WHERE hotel = ?", [attack]);
    expect(r.rows).toEqual([{ n: 0 }]);
    const drop = await engine.query("SELECT ? AS v", ["x'; DROP VIEW curated.bookings; --"]);
    expect(drop.rows).toEqual([{ v: "x'; DROP VIEW curated.bookings; --" }]);
    expect((await engine.query("SELECT count(*) AS n FROM curated.bookings")).rows).toEqual([{ n: 8 }]);
    await expect(engine.query("SELECT ? AS a, ? AS b", [1])).rejects.toThrow(/2 \? parameter\(s\); 1 given/);
  });

  test("a filter on the partition columns reads only the matching files", async () => {
    const all = await engine.query("SELECT sum(nights) AS n FROM curated.bookings");
    expect(all.stats?.filesScanned).toBe(3);
    const july = await engine.query(
      "SELECT sum(nights) AS n FROM curated.bookings WHERE arrival_year = ? AND arrival_month = ?",
      [2016, 7],
    );
    expect(july.rows).toEqual([{ n: 6 }]);
    expect(july.stats?.filesScanned).toBe(1);
    // A count answered from Parquet metadata has no plan and DuckDB writes no profile: unknown, not stale.
    const count = await engine.query(
      "SELECT count(*) AS n FROM curated.bookings WHERE arrival_year = 2016 AND arrival_month = 7",
    );
    expect(count.stats?.filesScanned).toBeUndefined();
  });

  test("a new partition and a new table are visible on the next query, without a restart", async () => {
    const before = await engine.query("SELECT count(*) AS n FROM curated.bookings");
    expect(before.rows).toEqual([{ n: 8 }]);
    const extra = {
      ...bookings[0]!,
      booking_id: 100,
      arrival_date: "2017-02-01",
      arrival_year: 2017,
      arrival_month: 2,
    };
    await writeTable(lake, curatedBookings, [extra]);
    const after = await engine.query(
      "SELECT arrival_month, count(*) AS n FROM curated.bookings WHERE arrival_year = 2017 GROUP BY 1 ORDER BY 1",
    );
    expect(after.rows).toEqual([
      { arrival_month: 1, n: 3 },
      { arrival_month: 2, n: 1 },
    ]);
    // A catalogued table without any committed file is an empty view of the right types.
    await catalogTable(lake, curatedCustomers);
    const empty = await engine.query("SELECT * FROM curated.customers");
    expect(empty.rows).toEqual([]);
    expect(empty.columns.find((c) => c.name === "first_arrival")?.type).toEqual({ kind: "date" });
    await catalogTable(lake, etlRejects);
    expect((await engine.query("SELECT count(*) AS n FROM rejected.etl_rejects")).rows).toEqual([{ n: 0 }]);
  });

  test("files written but not committed are not read", async () => {
    // A run that crashed before its commit leaves a file in the table's folder.
    const bucket = lake.layout.bucket("curated");
    const committed = await lake.snapshots.current("curated", "bookings");
    const orphanKey = "bookings/arrival_year=2016/arrival_month=7/crashed-run-00000.parquet";
    await lake.store.put(bucket, orphanKey, await lake.store.get(bucket, committed!.files[0]!.key));
    const r = await engine.query("SELECT count(*) AS n FROM curated.bookings");
    expect(r.rows).toEqual([{ n: committed!.rows }]);
  });

  test("each result is written to the query-results zone as <queryId>.csv with metadata", async () => {
    const r = await engine.query(
      "SELECT review_id, score, body FROM curated.reviews WHERE review_id <= ? ORDER BY 1",
      [2],
    );
    const bucket = lake.layout.bucket("query-results");
    const csv = text.decode(await lake.store.get(bucket, `${r.queryId}.csv`));
    expect(csv).toBe(
      '"review_id","score","body"\n"1","8.0","it\'s fine; ""quoted"""\n"2","9.5","it\'s fine; ""quoted"""\n',
    );
    const meta = JSON.parse(text.decode(await lake.store.get(bucket, `${r.queryId}.csv.metadata`)));
    expect(meta).toMatchObject({ queryId: r.queryId, params: [2], rows: 2 });
    expect(meta.columns[1]).toEqual({ name: "score", type: { kind: "decimal", precision: 3, scale: 1 } });
  });

  test("a large result is written in the background: flushResults waits for it, a failed write is raised", async () => {
    // Arrange: an engine that writes every result in the background, and one whose store refuses writes.
    const bucket = lake.layout.bucket("query-results");
    const bg = await DuckDbQueryEngine.create({ ...lake, backgroundWriteRows: 0 });
    const refusing = Object.create(lake.store) as typeof lake.store;
    refusing.put = async () => {
      throw new Error("disk full");
    };
    const broken = await DuckDbQueryEngine.create({ ...lake, store: refusing, backgroundWriteRows: 0 });
    try {
      // Act
      const r = await bg.query("SELECT i, i * 2 AS j FROM range(3) t(i)");
      await bg.flushResults();
      const failed = await broken.query("SELECT 1 AS one");
      // Assert: the rows came back, the file is complete once flushed, and the failure is not swallowed.
      expect(r.rows).toEqual([
        { i: 0, j: 0 },
        { i: 1, j: 2 },
        { i: 2, j: 4 },
      ]);
      expect(text.decode(await lake.store.get(bucket, `${r.queryId}.csv`))).toBe(
        '"i","j"\n"0","0"\n"1","2"\n"2","4"\n',
      );
      expect(failed.rows).toEqual([{ one: 1 }]);
      await expect(broken.flushResults()).rejects.toThrow(
        `result of query ${failed.queryId} failed: disk full`,
      );
      await broken.query("SELECT 2 AS two");
      await expect(broken.close()).rejects.toThrow("disk full");
    } finally {
      await bg.close();
      await broken.close().catch(() => undefined);
    }
  });

  test("a SQL error carries the engine's message and the position", async () => {
    const err = await engine
      .query("SELECT hotel\nFROM curated.bookings\nWHERE nosuch = 1")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).message).toMatch(/Referenced column "nosuch" not found/);
    expect((err as QueryError).details.position).toEqual({ line: 3, column: 7 });
    const syntax = await engine.query("SELECT * FORM curated.bookings").catch((e: unknown) => e);
    expect((syntax as QueryError).message).toMatch(/syntax error at or near "curated"/);
    expect((syntax as QueryError).details.position).toEqual({ line: 1, column: 15 });
  });

  test("the lake is read-only and nothing outside it is readable", async () => {
    await expect(engine.query("DROP VIEW curated.bookings")).rejects.toThrow(/only SELECT queries/);
    await expect(engine.query("CREATE TABLE t AS SELECT 1")).rejects.toThrow(/only SELECT queries/);
    await expect(engine.query("SELECT * FROM read_csv('/etc/passwd')")).rejects.toThrow(/Permission Error/);
    await expect(engine.query("SET enable_external_access = true")).rejects.toThrow(/only SELECT/);
    expect((await engine.query("SELECT count(*) AS n FROM curated.hotels")).rows).toEqual([{ n: 2 }]);
  });

  test("concurrent callers are served one query at a time, each with its own result and stats", async () => {
    const months = [7, 8, 1];
    const [, ...results] = await Promise.all([
      engine.refresh(true),
      ...months.map((m) =>
        engine.query("SELECT sum(nights) AS n FROM curated.bookings WHERE arrival_month = ?", [m]),
      ),
    ]);
    const answered = results as QueryResult[];
    expect(answered.map((r) => r.rows)).toEqual([[{ n: 6 }], [{ n: 6 }], [{ n: 9 }]]);
    expect(answered.map((r) => r.stats?.filesScanned)).toEqual([1, 1, 1]);
  });

  test("an aborted query is interrupted", async () => {
    const ac = new AbortController();
    const slow = engine.query("SELECT count(*) FROM range(20000000000) a", [], { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await expect(slow).rejects.toBeInstanceOf(QueryAbortedError);
    // The engine still answers afterwards.
    expect((await engine.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });
});

describe("a table whose files disagree with its catalog entry", () => {
  test("is left out with the reason; the other tables stay queryable", async () => {
    const entry = (await lake.catalog.getTable("curated", "hotels"))!;
    const drifted = {
      ...entry,
      StorageDescriptor: {
        ...entry.StorageDescriptor,
        Columns: [
          ...entry.StorageDescriptor.Columns,
          { Name: "stars_x", Type: "int", Comment: "not in the files" },
        ],
      },
    };
    await lake.catalog.putTable("curated", drifted);
    try {
      const err = await engine.query("SELECT * FROM curated.hotels").catch((e: unknown) => e);
      expect((err as QueryError).message).toMatch(
        /curated\.hotels is catalogued but its files do not match the catalog: .*stars_x/,
      );
      expect((await engine.query("SELECT count(*) AS n FROM curated.reviews")).rows).toEqual([{ n: 5 }]);
    } finally {
      await lake.catalog.putTable("curated", entry);
    }
    expect((await engine.query("SELECT count(*) AS n FROM curated.hotels")).rows).toEqual([{ n: 2 }]);
  });
});

describe("describeTables", () => {
  test("lists catalogued tables with rows, files, partitions, bytes and last commit", async () => {
    const tables = await describeTables(lake);
    const bookingsLine = tables.find((t) => t.name === "curated.bookings")!;
    const snap = await lake.snapshots.current("curated", "bookings");
    expect(bookingsLine).toMatchObject({
      zone: "curated",
      table: "bookings",
      version: snap!.version,
      rows: snap!.rows,
      files: snap!.files.length,
      partitions: new Set(snap!.files.map((f) => JSON.stringify(f.partition))).size,
      bytes: snap!.files.reduce((n, f) => n + f.bytes, 0),
      updatedAt: snap!.committedAt,
      partitionKeys: ["arrival_year", "arrival_month"],
    });
    expect(bookingsLine.bytes).toBeGreaterThan(1000);
    expect(tables.find((t) => t.name === "curated.hotels")).toMatchObject({
      rows: 2,
      files: 1,
      partitions: 0,
    });
  });
});

describe("merge-on-read tables", () => {
  test("a view hides base rows a delta supersedes, adds the delta's; a month filter still prunes base files", async () => {
    // prepare: base bookings, then a delta: booking A re-priced, B moved to another month, C new
    const dir = mkdtempSync(path.join(tmpdir(), "hotels-mor-"));
    const l = openLake(dir);
    const base = await writeTable(l, curatedBookings, bookings);
    const [a, b] = bookings;
    const months = [...new Set(bookings.map((x) => x.arrival_month))];
    const other = months.find((m) => m !== b!.arrival_month)!;
    const changed = [
      { ...a!, adr: "999.00" },
      { ...b!, arrival_month: other, arrival_date_month: other },
      { ...a!, booking_id: 9001 },
    ];
    await writeDelta(l, curatedBookings, changed, ["booking_id"], 2);
    const e = await DuckDbQueryEngine.create(l);
    try {
      // act
      const all = await e.query(
        "SELECT count(*) AS n, count(DISTINCT booking_id) AS k FROM curated.bookings",
      );
      const picked = await e.query(
        "SELECT booking_id, adr, arrival_month FROM curated.bookings WHERE booking_id IN (?, ?, 9001) ORDER BY booking_id",
        [a!.booking_id, b!.booking_id],
      );
      // a base file of another month made unreadable: a filter on a's month must not open it
      const victim = base.find(
        (f) =>
          f.partition!.arrival_month !== String(a!.arrival_month) &&
          f.partition!.arrival_month !== String(other),
      )!;
      writeFileSync(l.store.localPath("curated", victim.key), "not parquet");
      const month = await e.query(
        "SELECT count(*) AS n FROM curated.bookings WHERE arrival_year = ? AND arrival_month = ?",
        [a!.arrival_year, a!.arrival_month],
      );
      // assert
      expect(all.rows).toEqual([{ n: bookings.length + 1, k: bookings.length + 1 }]);
      expect(picked.rows).toEqual([
        { booking_id: a!.booking_id, adr: "999.00", arrival_month: a!.arrival_month },
        { booking_id: b!.booking_id, adr: b!.adr, arrival_month: other },
        { booking_id: 9001, adr: a!.adr, arrival_month: a!.arrival_month },
      ]);
      const inMonth = (m: number) =>
        bookings.filter((x) => x.arrival_year === a!.arrival_year && x.arrival_month === m).length;
      const expected =
        inMonth(a!.arrival_month) +
        1 -
        (b!.arrival_month === a!.arrival_month ? 1 : 0) +
        (other === a!.arrival_month ? 1 : 0);
      expect(month.rows).toEqual([{ n: expected }]);
      // (without the filter the broken file is read: the pruning above is real)
      await expect(e.query("SELECT count(*) AS n FROM curated.bookings")).rejects.toThrow();
      const line = (await describeTables(l)).find((t) => t.name === "curated.bookings")!;
      expect(line).toMatchObject({ rows: bookings.length + 1, files: base.length + 1 });
    } finally {
      await e.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("with two delta layers a view reads each key's newest row once", async () => {
    // prepare: layer 1 re-prices booking A; layer 2 re-prices it again and adds booking 9001
    const dir = mkdtempSync(path.join(tmpdir(), "hotels-mor-"));
    const l = openLake(dir);
    await writeTable(l, curatedBookings, bookings);
    const a = bookings[0]!;
    await writeDelta(l, curatedBookings, [{ ...a, adr: "999.00" }], ["booking_id"], 1);
    await writeDelta(
      l,
      curatedBookings,
      [
        { ...a, adr: "111.00" },
        { ...a, booking_id: 9001 },
      ],
      ["booking_id"],
      1,
    );
    const e = await DuckDbQueryEngine.create(l);
    try {
      // act
      const all = await e.query(
        "SELECT count(*) AS n, count(DISTINCT booking_id) AS k FROM curated.bookings",
      );
      const picked = await e.query(
        "SELECT booking_id, adr FROM curated.bookings WHERE booking_id IN (?, 9001) ORDER BY booking_id",
        [a.booking_id],
      );
      // assert
      expect(all.rows).toEqual([{ n: bookings.length + 1, k: bookings.length + 1 }]);
      expect(picked.rows).toEqual([
        { booking_id: a.booking_id, adr: "111.00" },
        { booking_id: 9001, adr: a.adr },
      ]);
      const line = (await describeTables(l)).find((t) => t.name === "curated.bookings")!;
      expect(line.rows).toBe(bookings.length + 1);
    } finally {
      await e.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
