import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importHotelBookings } from "../src/ingest/ingest.ts";
import { migrate } from "../src/migrate.ts";
import { openPglite } from "../src/pglite.ts";

const here = import.meta.dirname;
const FILE = [
  path.join(here, "../../../data/hotel_bookings.csv.gz"),
  path.join(here, "../../../../shared/data/hotel_bookings.csv.gz"),
].find(existsSync);

describe("the real data set", () => {
  it("loads all 119,390 bookings into PGlite with balanced counts", { timeout: 180_000 }, async () => {
    // prepare
    expect(FILE, "data/hotel_bookings.csv.gz is part of the repository").toBeDefined();
    const db = await openPglite();
    try {
      await migrate(db);
      // act
      const s = await importHotelBookings(db, FILE!, { batchRows: 20_000 });
      // assert
      expect(s).toMatchObject({ read: 119_390, loaded: 119_390, rejected: 0, inserted: 119_390 });
      const [r] = await db.query<Record<string, number>>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE hotel_id = 1)::int AS resort,
                count(*) FILTER (WHERE is_canceled)::int AS canceled,
                count(*) FILTER (WHERE adr < 0)::int AS negative_adr,
                count(*) FILTER (WHERE adults + coalesce(children, 0) + babies = 0)::int AS no_guests,
                count(*) FILTER (WHERE children IS NULL)::int AS children_na,
                max(booking_id)::int AS max_id
         FROM bookings`,
      );
      expect(r).toEqual({
        n: 119_390,
        resort: 40_060,
        canceled: 44_224,
        negative_adr: 1,
        no_guests: 180,
        children_na: 4,
        max_id: 119_390,
      });
    } finally {
      await db.close();
    }
  });
});
