import { bookings, col, copyTextLine, hotels, nullable, sourceTables, type TableDef } from "@hotels/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../src/migrate.ts";
import type { SqlSource } from "../src/port.ts";
import { adapters } from "./helpers.ts";

async function* from<T>(xs: readonly T[]): AsyncGenerator<T> {
  yield* xs;
}
async function collect<T>(xs: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of xs) out.push(x);
  return out;
}

const hotel = (id: number) => ({
  hotel_id: id,
  name: `Hotel\t${id}\nline`,
  hotel_type: "City Hotel",
  city: "Lisbon",
  country: "PRT",
  star_rating: 4,
  room_count: 100,
  created_at: new Date("2020-01-01T00:00:00Z"),
  updated_at: new Date("2020-01-02T03:04:05.678Z"),
});

describe.each(adapters)("SqlSource contract: $name", (adapter) => {
  let db: SqlSource & { drop(): Promise<void> };
  beforeAll(async () => {
    if (!adapter.skip) db = await adapter.open();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.skipIf(adapter.skip)("migrates idempotently, recording versions", async () => {
    // act
    const first = await migrate(db);
    const second = await migrate(db);
    // assert
    expect(first.applied).toEqual(sourceTables.map((t) => `create_${t.name}`));
    expect(first.version).toBe(sourceTables.length);
    expect(second).toEqual({ applied: [], version: sourceTables.length });
    const cols = await db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'bookings' AND table_schema = current_schema() ORDER BY ordinal_position",
    );
    expect(cols.map((c) => c.column_name)).toEqual(bookings.columns.map((c) => c.name));
  });

  it.skipIf(adapter.skip)("applies an additive schema change as a new version, once", async () => {
    // prepare: a table, then the same table with one more nullable column
    const v1 = {
      name: "widgets",
      zone: "source",
      description: "test table",
      primaryKey: ["id"],
      columns: [col.int32("id", "key")],
    } as const satisfies TableDef;
    const v2 = {
      ...v1,
      columns: [...v1.columns, nullable(col.string("label", "added later"))],
    } as const satisfies TableDef;
    // act
    const created = await migrate(db, [v1]);
    const altered = await migrate(db, [v2]);
    const again = await migrate(db, [v2]);
    // assert
    expect(created.applied).toEqual(["create_widgets"]);
    expect(altered.applied).toHaveLength(1);
    expect(altered.applied[0]).toMatch(/^alter_widgets_[0-9a-f]{16}$/);
    expect(altered.version).toBe(created.version + 1);
    expect(again).toEqual({ applied: [], version: altered.version });
    await db.execute("INSERT INTO widgets (id, label) VALUES ($1, $2)", [1, "x"]);
    expect(await db.query("SELECT id, label FROM widgets")).toEqual([{ id: 1, label: "x" }]);
  });

  it.skipIf(adapter.skip)("copies in and reads back through query and copyOut", async () => {
    // prepare
    const lines = [hotel(1), hotel(2)].map((h) => copyTextLine(hotels.columns, h));
    // act
    const n = await db.copyIn("hotels", hotels.columns, from(lines));
    const rows = await db.query<{ hotel_id: number; name: string; updated_at: Date }>(
      "SELECT * FROM hotels WHERE hotel_id = $1",
      [2],
    );
    const out = await collect(db.copyOut("SELECT * FROM hotels ORDER BY hotel_id"));
    const outParams = await collect(
      db.copyOut("SELECT * FROM hotels WHERE updated_at >= $1 AND hotel_id > $2 ORDER BY hotel_id", [
        new Date("2020-01-01T00:00:00Z"),
        1,
      ]),
    );
    // assert
    expect(n).toBe(2);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.name).toBe("Hotel\t2\nline");
    expect(rows[0]!.updated_at.toISOString()).toBe("2020-01-02T03:04:05.678Z");
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(
      "1\tHotel\\t1\\nline\tCity Hotel\tLisbon\tPRT\t4\t100\t2020-01-01 00:00:00+00\t2020-01-02 03:04:05.678+00",
    );
    expect(outParams).toEqual([out[1]]);
  });

  it.skipIf(adapter.skip)("copyOutBytes gives copyOut's text as chunks of whole rows", async () => {
    // act
    const lines = await collect(db.copyOut("SELECT * FROM hotels ORDER BY hotel_id"));
    const chunks = await collect(db.copyOutBytes("SELECT * FROM hotels ORDER BY hotel_id"));
    // assert
    const text = Buffer.concat(chunks).toString("utf8");
    expect(text).toBe(lines.map((l) => `${l}\n`).join(""));
    for (const c of chunks) expect(c[c.length - 1]).toBe(10);
  });

  it.skipIf(adapter.skip)(
    "withSnapshot: every session reads one snapshot while another session commits",
    async () => {
      // prepare
      const n = Math.min(2, db.maxSessions);
      const before = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM hotels");
      // act: sessions read, a write commits (elsewhere when the source has other sessions), they read again
      const seen = await db.withSnapshot(n, async (sessions) => {
        const count = async () =>
          Promise.all(
            sessions.map(
              async (s) => (await s.query<{ n: string }>("SELECT count(*)::text AS n FROM hotels"))[0]!.n,
            ),
          );
        const first = await count();
        if (db.maxSessions > 1)
          await db.copyIn("hotels", hotels.columns, from([copyTextLine(hotels.columns, hotel(99))]));
        return [...first, ...(await count())];
      });
      // assert
      expect(seen).toEqual(Array(2 * n).fill(before[0]!.n));
      if (db.maxSessions > 1) {
        const after = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM hotels");
        expect(Number(after[0]!.n)).toBe(Number(before[0]!.n) + 1);
        await db.execute("DELETE FROM hotels WHERE hotel_id = 99");
      }
      await expect(db.withSnapshot(db.maxSessions + 1, async () => 0)).rejects.toThrow(/sessions/);
    },
  );

  it.skipIf(adapter.skip)("commits a transaction and rolls one back on error", async () => {
    // act
    await db.transaction(async (tx) => {
      await tx.execute("UPDATE hotels SET star_rating = $1 WHERE hotel_id = $2", [5, 1]);
    });
    const failed = db.transaction(async (tx) => {
      await tx.execute("UPDATE hotels SET star_rating = $1 WHERE hotel_id = $2", [1, 1]);
      throw new Error("boom");
    });
    // assert
    await expect(failed).rejects.toThrow("boom");
    const [r] = await db.query<{ star_rating: number }>("SELECT star_rating FROM hotels WHERE hotel_id = 1");
    expect(r!.star_rating).toBe(5);
  });

  it.skipIf(adapter.skip)("rolls back a nested transaction only", async () => {
    // act
    await db.transaction(async (tx) => {
      await tx.execute("UPDATE hotels SET star_rating = 3 WHERE hotel_id = 2");
      await tx
        .transaction(async (inner) => {
          await inner.execute("UPDATE hotels SET star_rating = 1 WHERE hotel_id = 2");
          throw new Error("inner");
        })
        .catch(() => {});
    });
    // assert
    const [r] = await db.query<{ star_rating: number }>("SELECT star_rating FROM hotels WHERE hotel_id = 2");
    expect(r!.star_rating).toBe(3);
  });

  it.skipIf(adapter.skip)("reports constraint errors and keeps values bound", async () => {
    // act + assert: a CHECK violation from the derived DDL
    await expect(db.execute("UPDATE hotels SET star_rating = $1 WHERE hotel_id = 1", [9])).rejects.toThrow(
      /check constraint/i,
    );
    // a hostile value is data, not SQL
    await db.execute("UPDATE hotels SET city = $1 WHERE hotel_id = 1", ["x'); DROP TABLE hotels; --"]);
    const [r] = await db.query<{ city: string }>("SELECT city FROM hotels WHERE hotel_id = 1");
    expect(r!.city).toBe("x'); DROP TABLE hotels; --");
  });
});
