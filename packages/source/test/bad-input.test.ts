import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest } from "../src/ingest/ingest.ts";
import { IngestFormatError } from "../src/ingest/read.ts";
import { migrate } from "../src/migrate.ts";
import { openPglite } from "../src/pglite.ts";
import type { SqlSource } from "../src/port.ts";
import { csv, gz, HEADER, row, stream } from "./fixtures.ts";

/** Structurally unreadable inputs are refused with `file:line: what`, and nothing of their batch lands;
 * accepted variants (CRLF, whitespace, BOM, no final newline) load. One PGlite for the file. */
describe("refused and accepted input variants (PGlite)", () => {
  let db: SqlSource;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });
  const bookingsCount = async () =>
    Number((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM bookings"))[0]!.n);

  async function refused(input: string | Buffer, name: string): Promise<IngestFormatError> {
    const before = await bookingsCount();
    const err = await ingest(db, stream(input), { sourceName: name }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IngestFormatError);
    expect(await bookingsCount()).toBe(before); // nothing from the faulty batch committed
    return err as IngestFormatError;
  }

  it("refuses a wrong header, naming line 1", async () => {
    const e = await refused(csv([HEADER.replace("lead_time", "leadtime"), row()]), "h.csv");
    expect(e.message).toMatch(
      /^h\.csv:1: header matches neither the hotel_bookings data set nor a source table/,
    );
  });

  it("refuses a row with the wrong column count, naming its line", async () => {
    const e = await refused(csv([HEADER, row(), row(), `${row()},extra`, row()]), "cols.csv");
    expect(e.message).toMatch(/^cols\.csv:4: wrong column count/);
  });

  it("refuses undecodable bytes, naming their line", async () => {
    const bytes = Buffer.concat([
      Buffer.from(csv([HEADER, row(), row()])),
      Buffer.from([0x4c, 0x69, 0xff, 0xfe, 0x0a]),
    ]);
    const e = await refused(bytes, "bytes.csv");
    expect(e.message).toBe("bytes.csv:4: not valid UTF-8 (undecodable bytes)");
  });

  it("refuses an unterminated quote", async () => {
    const e = await refused(csv([HEADER, row(), row({ country: '"PRT' }), row()]), "quote.csv");
    expect(e.message).toMatch(/^quote\.csv:\d+: unterminated quoted field/);
  });

  it("refuses a truncated last line (no final newline, record cut short)", async () => {
    const full = csv([HEADER, row(), row()]);
    const cut = full.slice(0, full.length - 6); // "…,2015-07" then EOF: a cut date, no newline
    const e = await refused(cut, "cut.csv");
    expect(e.message).toMatch(
      /^cut\.csv:3: truncated last line \(no final newline; reservation_status_date: /,
    );
  });

  it("refuses a truncated gzip stream", async () => {
    const z = gz(csv([HEADER, ...Array.from({ length: 200 }, () => row())]));
    const e = await refused(z.subarray(0, z.length - 40), "cut.csv.gz");
    expect(e.message).toMatch(/^cut\.csv\.gz:\d+: truncated gzip stream/);
  });

  it("refuses an NDJSON line that is not JSON, naming it, and commits nothing of its batch", async () => {
    const good = JSON.stringify({
      table: "hotels",
      record: {
        hotel_id: 77,
        name: "H",
        hotel_type: "City Hotel",
        city: "c",
        country: "PRT",
        star_rating: 3,
        room_count: 1,
        created_at: "2020-01-01T00:00:00Z",
        updated_at: "2020-01-01T00:00:00Z",
      },
    });
    const e = await ingest(db, stream(`${good}\n{"table": "hotels", "record": {\n`), {
      sourceName: "x.ndjson",
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IngestFormatError);
    expect((e as Error).message).toMatch(/^x\.ndjson:2: not valid JSON/);
    expect(await db.query("SELECT 1 FROM hotels WHERE hotel_id = 77")).toEqual([]);
  });

  it("keeps earlier committed batches when a later batch is refused; the rerun finishes", async () => {
    // prepare: batches of 2; the fault is in the third batch
    const rows = Array.from({ length: 6 }, (_, i) => row({ lead_time: String(100 + i) }));
    const bad = csv([HEADER, ...rows.slice(0, 5), `${rows[5]},x`]);
    // act
    const e = await ingest(db, stream(bad), { sourceName: "part.csv", batchRows: 2 }).catch(
      (x: unknown) => x,
    );
    const committed = await db.query<{ booking_id: number }>(
      "SELECT booking_id FROM bookings WHERE lead_time >= 100 ORDER BY 1",
    );
    const rerun = await ingest(db, stream(csv([HEADER, ...rows])), { sourceName: "part.csv", batchRows: 2 });
    // assert
    expect((e as Error).message).toMatch(/^part\.csv:7: wrong column count/);
    expect(committed.map((r) => r.booking_id)).toEqual([1, 2, 3, 4]);
    expect(rerun).toMatchObject({ read: 6, inserted: 2, unchanged: 4 });
  });

  it("accepts CRLF line endings, a BOM, whitespace around cells and no final newline", async () => {
    // prepare
    const text = `\ufeff${csv([HEADER, row({ lead_time: " 7 ", country: " PRT", adr: "75.5 " }), row({ lead_time: "8" })], "\r\n", false)}`;
    // act
    const s = await ingest(db, stream(text), { sourceName: "crlf.csv" });
    // assert
    expect(s).toMatchObject({ read: 2, rejected: 0 });
    const [r] = await db.query<{ lead_time: number; country: string; adr: string }>(
      "SELECT lead_time, country, adr FROM bookings WHERE booking_id = 1",
    );
    expect(r).toEqual({ lead_time: 7, country: "PRT", adr: "75.50" });
  });

  it("reads a CSV of a source table by its header, columns in any order", async () => {
    const text = csv([
      "country,hotel_id,name,hotel_type,city,star_rating,room_count,created_at,updated_at",
      "PRT,900,Casa,City Hotel,Porto,3,12,2020-01-01T00:00:00Z,2020-01-01 00:00:00",
      "pt,901,Casa,City Hotel,Porto,3,12,2020-01-01T00:00:00Z,2020-01-01T00:00:00Z",
    ]);
    const s = await ingest(db, stream(text), { sourceName: "hotels.csv" });
    expect(s.byTable.hotels).toMatchObject({ read: 2, loaded: 1, rejected: 1 });
    const [rej] = await db.query<{ field: string; rule: string }>(
      "SELECT field, rule FROM ingest_rejects WHERE source = 'hotels.csv'",
    );
    expect(rej).toEqual({ field: "country", rule: "must match /^[A-Z]{2,3}$/" });
  });
});
