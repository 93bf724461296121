import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest } from "../src/ingest/ingest.ts";
import { migrate } from "../src/migrate.ts";
import type { SqlSource } from "../src/port.ts";
import { csv, gz, HEADER, row, stream } from "./fixtures.ts";
import { adapters } from "./helpers.ts";

describe.each(adapters)("ingest into $name", (adapter) => {
  let db: SqlSource & { drop(): Promise<void> };
  beforeAll(async () => {
    if (adapter.skip) return;
    db = await adapter.open();
    await migrate(db);
  });
  afterAll(async () => {
    await db?.drop();
  });
  const count = async (sql: string, params: (string | number)[] = []) =>
    Number((await db.query<{ n: number | string }>(sql, params))[0]!.n);

  it.skipIf(adapter.skip)(
    "maps data-set rows, balances counts, and re-ingesting changes nothing",
    async () => {
      // prepare: a negative adr and a zero-guest row are structurally valid and must load
      const text = csv([
        HEADER,
        row(),
        row({
          hotel: "City Hotel",
          arrival_date_month: "August",
          arrival_date_day_of_month: "31",
          children: "NA",
          agent: "9",
          adr: "-6.38",
        }),
        row({ adults: "0", children: "0", babies: "0", country: "NULL" }),
      ]);
      const [{ now: before }] = (await db.query<{ now: Date }>("SELECT now() AS now")) as [{ now: Date }];
      // act
      const first = await ingest(db, stream(gz(text)), { sourceName: "a.csv.gz" });
      const again = await ingest(db, stream(text), { sourceName: "a.csv" });
      // assert
      expect(first).toMatchObject({
        format: "csv",
        read: 3,
        loaded: 3,
        rejected: 0,
        inserted: 3,
        updated: 0,
        unchanged: 0,
      });
      expect(again).toMatchObject({ read: 3, loaded: 3, inserted: 0, updated: 0, unchanged: 3 });
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM bookings WHERE booking_id <= 3 ORDER BY booking_id",
      );
      expect(rows.map((r) => r.booking_id)).toEqual([1, 2, 3]);
      expect(rows[1]).toMatchObject({
        hotel_id: 2,
        arrival_date: "2015-08-31",
        arrival_date_month: 8,
        children: null,
        agent: 9,
        adr: "-6.38",
        customer_id: null,
      });
      // updated_at records when the row was written (not the data set's 2015 date), so incremental
      // extraction past an earlier watermark still sees it; re-ingesting did not move it
      const writtenAt = (rows[1]!.updated_at as Date).getTime();
      expect(writtenAt).toBeGreaterThanOrEqual(new Date(before).getTime());
      expect(writtenAt).toBeLessThanOrEqual(Date.now());
      expect(rows.map((r) => (r.updated_at as Date).getTime())).toEqual([writtenAt, writtenAt, writtenAt]);
      expect(rows[2]).toMatchObject({ adults: 0, country: null });
      expect(await count("SELECT count(*) AS n FROM hotels WHERE hotel_id IN (1, 2)")).toBe(2);
    },
  );

  it.skipIf(adapter.skip)("replaces an updated record and moves its updated_at", async () => {
    // prepare
    const before = await db.query<{ updated_at: Date }>(
      "SELECT updated_at FROM bookings WHERE booking_id = 1",
    );
    const changed = csv([
      HEADER,
      row({ booking_changes: "4" }),
      row({
        hotel: "City Hotel",
        arrival_date_month: "August",
        arrival_date_day_of_month: "31",
        children: "NA",
        agent: "9",
        adr: "-6.38",
      }),
    ]);
    // act
    const s = await ingest(db, stream(changed), { sourceName: "a.csv" });
    // assert
    expect(s).toMatchObject({ read: 2, loaded: 2, inserted: 0, updated: 1, unchanged: 1 });
    const [after] = await db.query<{ updated_at: Date; booking_changes: number }>(
      "SELECT updated_at, booking_changes FROM bookings WHERE booking_id = 1",
    );
    expect(after!.booking_changes).toBe(4);
    expect(after!.updated_at.getTime()).toBeGreaterThan(before[0]!.updated_at.getTime());
  });

  it.skipIf(adapter.skip)(
    "quarantines records that break the schema, with file, line, field, value and rule",
    async () => {
      // prepare
      const text = csv([
        HEADER,
        row(),
        row({ meal: "XX" }),
        row({ lead_time: "soon", arrival_date_month: "Jully" }),
        row({ arrival_date_month: "February", arrival_date_day_of_month: "30" }),
        row({ hotel: "Motel" }),
      ]);
      // act
      const s = await ingest(db, stream(text), { sourceName: "bad.csv" });
      const again = await ingest(db, stream(text), { sourceName: "bad.csv" });
      // assert
      expect(s).toMatchObject({ read: 5, loaded: 1, rejected: 4 });
      expect(again).toMatchObject({ read: 5, loaded: 1, rejected: 4 });
      const rejects = await db.query<Record<string, unknown>>(
        "SELECT line, field, value, rule, target_table FROM ingest_rejects WHERE source = $1 ORDER BY line, field",
        ["bad.csv"],
      );
      expect(rejects).toEqual([
        {
          line: 3,
          field: "meal",
          value: "XX",
          rule: "must be one of: BB, FB, HB, SC, Undefined",
          target_table: "bookings",
        },
        {
          line: 4,
          field: "arrival_date_month",
          value: "Jully",
          rule: "not a month name",
          target_table: "bookings",
        },
        { line: 4, field: "lead_time", value: "soon", rule: "not an integer", target_table: "bookings" },
        {
          line: 5,
          field: "arrival_date",
          value: "2015-02-30",
          rule: "must be a calendar date YYYY-MM-DD",
          target_table: "bookings",
        },
        {
          line: 6,
          field: "hotel",
          value: "Motel",
          rule: "must be one of: Resort Hotel, City Hotel",
          target_table: "bookings",
        },
      ]);
      const [rec] = await db.query<{ record: string }>(
        "SELECT record FROM ingest_rejects WHERE source = 'bad.csv' AND line = 3",
      );
      expect(JSON.parse(rec!.record)).toMatchObject({ meal: "XX", hotel: "Resort Hotel" });
    },
  );

  it.skipIf(adapter.skip)(
    "ingests NDJSON envelopes and plain records, quarantining orphans by foreign key",
    async () => {
      // prepare
      const hotel = {
        hotel_id: 501,
        name: "H",
        hotel_type: "City Hotel",
        city: "Porto",
        country: "PRT",
        star_rating: 3,
        room_count: 10,
        created_at: "2020-01-01T00:00:00Z",
        updated_at: "2020-01-01T00:00:00Z",
      };
      const review = {
        review_id: 9,
        booking_id: 1,
        hotel_id: 501,
        score: "8.5",
        title: "t",
        body: "b",
        created_at: "2020-02-01T00:00:00Z",
        updated_at: "2020-02-01T00:00:00Z",
      };
      const text = [
        JSON.stringify({ table: "hotels", record: hotel }),
        JSON.stringify({ table: "reviews", record: review }),
        JSON.stringify({ table: "reviews", record: { ...review, review_id: 10, hotel_id: 999 } }),
        JSON.stringify({ table: "hotels", record: { ...hotel, hotel_id: 502, star_rating: 7 } }),
        "",
      ].join("\n");
      // act
      const s = await ingest(db, stream(text), { sourceName: "mixed.ndjson" });
      // assert
      expect(s.format).toBe("ndjson");
      expect(s.byTable.hotels).toMatchObject({ read: 2, loaded: 1, rejected: 1 });
      expect(s.byTable.reviews).toMatchObject({ read: 2, loaded: 1, rejected: 1, inserted: 1 });
      expect(s.read).toBe(s.loaded + s.rejected);
      const rejects = await db.query<{ line: number; field: string; rule: string }>(
        "SELECT line, field, rule FROM ingest_rejects WHERE source = 'mixed.ndjson' ORDER BY line",
      );
      expect(rejects).toEqual([
        { line: 3, field: "hotel_id", rule: "unknown hotel_id: no hotels row with hotel_id = this value" },
        { line: 4, field: "star_rating", rule: "must be ≤ 5" },
      ]);
    },
  );
});
