import { DuckDBInstance } from "@duckdb/node-api";
import { LocalCatalog, TableLog } from "@hotels/lake";
import type { SqlSource } from "@hotels/source";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEtl, runLocalEtl } from "../src/index.ts";
import {
  bookingRow,
  bookings,
  customerRow,
  customers,
  insert,
  liveRowsSql,
  openPglite,
  seedSource,
  tempLake,
  upsertBookings,
} from "./fixtures.ts";

/** Rows of a lake table's committed files, read with DuckDB. */
async function rows(
  lake: ReturnType<typeof tempLake>,
  zone: "processed" | "curated" | "rejected",
  table: string,
  sql = "*",
) {
  const log = new TableLog({ store: lake.store, layout: lake.layout });
  const live = liveRowsSql(lake.root, zone, table, await log.current(zone, table));
  if (!live) return [];
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  await c.run(`CREATE VIEW t AS ${live}`);
  // `sql` is a select list optionally followed by WHERE / ORDER BY clauses over the table `t`.
  const what = sql.split(/ (?=WHERE|ORDER)/)[0]!;
  const r = await c.runAndReadAll(`SELECT ${what} FROM t ${sql.slice(what.length)}`);
  const out = r.getRowObjectsJson();
  c.closeSync();
  db.closeSync();
  return out;
}

describe("DuckDB runner", () => {
  let source: SqlSource;
  const lake = tempLake();

  beforeAll(async () => {
    source = await openPglite();
    await seedSource(source, 60);
  });
  afterAll(async () => {
    await source?.close();
  });

  it("builds every zone on the first run, counts balanced, invalid bookings rejected with their rule", async () => {
    // act
    const s = await runLocalEtl({ source, ...lake });
    // assert
    const bookings = s.balance.find((b) => b.table === "bookings")!;
    expect(bookings).toMatchObject({ extracted: 60, processed: 58, rejected: 2, balanced: true });
    expect(s.balance.every((b) => b.balanced)).toBe(true);
    const rejects = await rows(lake, "rejected", "etl_rejects", "record_key, rule, field");
    expect(rejects).toEqual(
      expect.arrayContaining([
        { record_key: "3", rule: "negative adr", field: "adr" },
        { record_key: "7", rule: "zero guests (adults + children + babies = 0)", field: null },
      ]),
    );
    const curated = await rows(lake, "curated", "bookings", "count(*) AS n, count(DISTINCT booking_id) AS k");
    expect(curated).toEqual([{ n: "58", k: "58" }]);
    const b5 = await rows(
      lake,
      "curated",
      "bookings",
      "hotel, revenue, nights, guests, is_canceled, arrival_year, arrival_month WHERE booking_id = 5",
    );
    // booking 5: hotel 2, 2 weekend + 2 week nights at 105.50, not canceled
    expect(b5).toEqual([
      {
        hotel: "City Hotel 2",
        revenue: "422.00",
        nights: 4,
        guests: 2,
        is_canceled: 0,
        arrival_year: "2016",
        arrival_month: "6",
      },
    ]);
    const hotels = await rows(lake, "curated", "hotels", "name ORDER BY hotel_id");
    expect(hotels).toEqual([{ name: "Resort Lisboa" }, { name: "City Hotel 2" }]); // trimmed
    const review = await rows(lake, "curated", "reviews", "body WHERE review_id = 1");
    expect(review).toEqual([{ body: "Back\\slash and\nnewline" }]); // COPY escapes undone
    const daily = await rows(
      lake,
      "curated",
      "hotel_daily",
      "sum(occupied_rooms) AS nights, sum(arrivals) AS arrivals, sum(cancellations) AS canc",
    );
    const facts = await rows(
      lake,
      "curated",
      "bookings",
      "sum(CASE WHEN is_canceled = 0 THEN nights END) AS nights, sum(1 - is_canceled) AS arrivals, sum(is_canceled) AS canc",
    );
    expect(daily).toEqual(facts);
  });

  it("writes nothing when the source did not change", async () => {
    // prepare
    const log = new TableLog({ store: lake.store, layout: lake.layout });
    const before = await log.current("curated", "bookings");
    // act
    const s = await runLocalEtl({ source, ...lake });
    // assert
    expect(s.steps.every((x) => x.skipped && x.version === undefined)).toBe(true);
    expect((await log.current("curated", "bookings"))?.version).toBe(before?.version);
  });

  it("merges changed bookings as a delta beside untouched base files, without duplicates", async () => {
    // prepare: booking 5 gets a new price; booking 8 moves from March to February
    const log = new TableLog({ store: lake.store, layout: lake.layout });
    const before = await log.current("curated", "bookings");
    const dailyBefore = await log.current("curated", "hotel_daily");
    await upsertBookings(source, [
      bookingRow(5, 100, { adr: "200.00" }),
      bookingRow(8, 100, { arrival_date: "2016-02-09", arrival_date_month: 2, arrival_date_day_of_month: 9 }),
    ]);
    // act
    const s = await runLocalEtl({ source, ...lake });
    // assert
    const load = s.steps.find((x) => x.job === "load.bookings")!;
    expect(load).toMatchObject({ rowsIn: 2, rowsOut: 2, files: 1, operation: "delta" });
    const after = await log.current("curated", "bookings");
    expect(after!.files.filter((f) => f.role !== "delta")).toEqual(before!.files);
    expect(after!.files.filter((f) => f.role === "delta")).toEqual([
      expect.objectContaining({
        key: expect.stringMatching(/^bookings\/_delta\//),
        rows: 2,
        supersedes: 2,
        partitions: [
          { arrival_year: "2016", arrival_month: "2" },
          { arrival_year: "2016", arrival_month: "6" },
        ],
      }),
    ]);
    expect(after).toMatchObject({ key: ["booking_id"], rows: 58 });
    const curated = await rows(lake, "curated", "bookings", "count(*) AS n, count(DISTINCT booking_id) AS k");
    expect(curated).toEqual([{ n: "58", k: "58" }]);
    expect(
      await rows(
        lake,
        "curated",
        "bookings",
        "arrival_month, revenue WHERE booking_id IN (5, 8) ORDER BY booking_id",
      ),
    ).toEqual([
      { arrival_month: "6", revenue: "800.00" },
      { arrival_month: "2", revenue: "0.00" },
    ]);
    // booking 8 leaves a March hotel-day no other booking reaches: a delta cannot delete it, so the months
    // the changes reach are rewritten
    expect(s.steps.find((x) => x.job === "load.hotel_daily")?.operation).toBe("aggregate+replace-partitions");
    // January holds no changed booking's stay: its hotel_daily file is kept as it was
    const january = (f: { partition?: Record<string, string> }) => f.partition?.stay_month === "1";
    const dailyAfter = await log.current("curated", "hotel_daily");
    expect(dailyAfter!.files.filter(january)).toEqual(dailyBefore!.files.filter(january));
    expect(dailyAfter!.files.filter(january)).toHaveLength(1);
  });

  it("a full refresh gives the same tables as the incremental runs", async () => {
    // prepare
    const incremental = await rows(lake, "curated", "bookings", "* ORDER BY booking_id");
    const daily = await rows(lake, "curated", "hotel_daily", "* ORDER BY hotel_id, stay_date");
    const customers = await rows(lake, "curated", "customers", "* ORDER BY customer_id");
    // act
    const s = await runLocalEtl({ source, ...lake }, { full: true });
    // assert
    expect(s.full).toBe(true);
    expect(await rows(lake, "curated", "bookings", "* ORDER BY booking_id")).toEqual(incremental);
    expect(await rows(lake, "curated", "hotel_daily", "* ORDER BY hotel_id, stay_date")).toEqual(daily);
    expect(await rows(lake, "curated", "customers", "* ORDER BY customer_id")).toEqual(customers);
    // the full refresh judged the same records again: their rejects replace the earlier ones
    expect(await rows(lake, "rejected", "etl_rejects", "record_key, rule ORDER BY record_key")).toEqual([
      { record_key: "3", rule: "negative adr" },
      { record_key: "7", rule: "zero guests (adults + children + babies = 0)" },
    ]);
  });

  it("an incremental run judges new bookings against the processed dimensions (narrowed to the keys they name)", async () => {
    // prepare: customer 11 arrives with an e-mail the ETL refuses; booking 61 names it, booking 62 names
    // customer 2 (valid)
    await insert(source, customers, [{ ...customerRow(11, 300), email: "not-an-email" }]);
    await insert(source, bookings, [
      bookingRow(61, 300, { customer_id: 11 }),
      bookingRow(62, 300, { customer_id: 2 }),
    ]);
    // act
    const s = await runLocalEtl({ source, ...lake });
    // assert
    expect(s.balance.find((b) => b.table === "bookings")).toMatchObject({
      extracted: 2,
      processed: 1,
      rejected: 1,
      balanced: true,
    });
    expect(
      await rows(lake, "rejected", "etl_rejects", "record_key, rule WHERE record_key IN ('61', '62')"),
    ).toEqual([{ record_key: "61", rule: "unknown customer" }]);
    expect(await rows(lake, "curated", "bookings", "booking_id WHERE booking_id > 60")).toEqual([
      { booking_id: "62" },
    ]);
  });

  it("runEtl crawls what the run committed; nothing when nothing changed", async () => {
    // prepare: a fresh lake and catalog over the same source
    const fresh = tempLake();
    const catalog = new LocalCatalog(fresh.root);
    // act
    const first = await runEtl({ source, ...fresh, catalog });
    const second = await runEtl({ source, ...fresh, catalog });
    // assert
    expect(first.crawl?.tables.map((t) => t.table)).toEqual(
      expect.arrayContaining(["curated.bookings", "curated.hotel_daily", "rejected.etl_rejects"]),
    );
    expect(first.crawl?.drift).toEqual([]);
    const parts = await catalog.getPartitions("curated", "bookings");
    expect(parts.map((p) => p.Values.join("-")).sort()).toEqual([
      "2016-1",
      "2016-2",
      "2016-3",
      "2016-4",
      "2016-5",
      "2016-6",
    ]);
    expect(second.crawl).toBeUndefined();
  });

  it("rejects an unknown --job name, listing the valid ones", async () => {
    await expect(runLocalEtl({ source, ...lake }, { jobs: ["nope"] })).rejects.toThrow(
      /unknown ETL job "nope"; one of: extract, transform, load/,
    );
  });
});
