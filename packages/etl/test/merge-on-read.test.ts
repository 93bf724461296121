import { cpSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { TableLog } from "@hotels/lake";
import type { SqlSource } from "@hotels/source";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalEtlOptions, runLocalEtl } from "../src/index.ts";
import {
  bookingRow,
  bookings,
  insert,
  liveRowsSql,
  openPglite,
  seedSource,
  tempLake,
  upsertBookings,
} from "./fixtures.ts";

type Lake = ReturnType<typeof tempLake>;
const TABLES = [
  ["processed", "bookings"],
  ["curated", "bookings"],
  ["curated", "hotel_daily"],
  ["curated", "customers"],
] as const;

/** Every live row of the tables above, in a canonical order. */
async function content(lake: Lake) {
  const log = new TableLog({ store: lake.store, layout: lake.layout });
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const out: Record<string, unknown[]> = {};
  for (const [zone, table] of TABLES) {
    const live = liveRowsSql(lake.root, zone, table, await log.current(zone, table));
    out[`${zone}.${table}`] = live
      ? (await c.runAndReadAll(`SELECT * FROM (${live}) ORDER BY ALL`)).getRowObjectsJson()
      : [];
  }
  c.closeSync();
  db.closeSync();
  return out;
}

const snapshot = (lake: Lake, zone: "processed" | "curated", table: string) =>
  new TableLog({ store: lake.store, layout: lake.layout }).current(zone, table);

describe("merge-on-read deltas", () => {
  let source: SqlSource;
  /** Merge-on-read with the default threshold. */
  const mor = tempLake();
  /** Copy-on-write: every merge compacts (threshold 0). */
  const cow = tempLake();
  const cowOptions: LocalEtlOptions = { compactFraction: 0 };

  beforeAll(async () => {
    source = await openPglite();
    await seedSource(source, 120);
    await runLocalEtl({ source, ...mor });
    await runLocalEtl({ source, ...cow }, cowOptions);
  });
  afterAll(async () => {
    await source?.close();
  });

  it("reads the same rows as copy-on-write after changes, a moved partition, a new key and a rejected version", async () => {
    // prepare: booking 5 re-priced, 8 moves from March to February, 10 gets an invalid version, 121 is new
    await upsertBookings(source, [
      bookingRow(5, 100, { adr: "200.00" }),
      bookingRow(8, 100, { arrival_date: "2016-02-09", arrival_date_month: 2, arrival_date_day_of_month: 9 }),
      bookingRow(10, 100, { adr: "-1.00" }),
    ]);
    await insert(source, bookings, [bookingRow(121, 100)]);
    // act
    const m = await runLocalEtl({ source, ...mor });
    const c = await runLocalEtl({ source, ...cow }, cowOptions);
    // assert
    expect(await content(mor)).toEqual(await content(cow));
    const ops = (s: typeof m, job: string) => s.steps.find((x) => x.job === job)?.operation;
    expect(
      ["transform.bookings", "load.bookings", "load.customers", "load.hotel_daily"].map((j) => ops(m, j)),
    ).toEqual(["delta", "delta", "delta", "aggregate+delta"]); // customers: 2 of 10 reached, under 25%
    expect([ops(c, "transform.bookings"), ops(c, "load.bookings")]).toEqual(["compact", "compact"]);
    // after compacting curated.bookings, hotel_daily still knows what changed: the merge kept it
    expect(ops(c, "load.hotel_daily")).toMatch(/^aggregate\+/);
    const curated = await snapshot(mor, "curated", "bookings");
    // 2 of 120 rejected from the start, 121 added; 10's old version stays (its new one is rejected)
    expect(curated).toMatchObject({ rows: 119 });
    expect(curated!.files.filter((f) => f.role === "delta")).toEqual([
      expect.objectContaining({ rows: 3, supersedes: 2 }),
    ]);
    const b10 = (await content(mor))["curated.bookings"]!.filter(
      (r) => (r as { booking_id: string }).booking_id === "10",
    );
    expect(b10).toEqual([expect.objectContaining({ adr: "110.50" })]);
  });

  it("a key changed again in a later run is a new layer's row; hotel_daily and customers equal a full recompute", async () => {
    // prepare: 5 changes again (now canceled), 8 moves again (to April)
    await upsertBookings(source, [
      bookingRow(5, 200, { adr: "250.00", is_canceled: true, reservation_status: "Canceled" }),
      bookingRow(8, 200, {
        arrival_date: "2016-04-03",
        arrival_date_month: 4,
        arrival_date_day_of_month: 3,
        customer_id: 2,
      }),
    ]);
    // act
    await runLocalEtl({ source, ...mor });
    await runLocalEtl({ source, ...cow }, cowOptions);
    // hotel_daily recomputed whole from the same curated.bookings, in a copy of the lake
    const recomputed = tempLake();
    cpSync(mor.root, recomputed.root, { recursive: true });
    await runLocalEtl(
      { source, ...recomputed },
      { full: true, jobs: ["load.customers", "load.hotel_daily"] },
    );
    // assert
    const now = await content(mor);
    expect(now).toEqual(await content(cow));
    const whole = await content(recomputed);
    expect(now["curated.hotel_daily"]).toEqual(whole["curated.hotel_daily"]);
    expect(now["curated.customers"]).toEqual(whole["curated.customers"]);
    for (const zone of ["processed", "curated"] as const) {
      const s = await snapshot(mor, zone, "bookings");
      const delta = s!.files.filter((f) => f.role === "delta");
      // layer 1: 5, 8, 121 (10's rejected version never reached it); layer 2: 5 and 8 again, each
      // superseding layer 1's row
      expect(delta.map((f) => [f.layer, f.rows, f.supersedes])).toEqual([
        [1, 3, 2],
        [2, 2, 2],
      ]);
      expect(s!.rows).toBe(now[`${zone}.bookings`]!.length);
    }
  });

  it("past maxDeltaLayers a merge writes one layer holding every layer's newest rows", async () => {
    // prepare: two layers so far; 5 changes a third time, 11 for the first time
    await upsertBookings(source, [
      bookingRow(5, 250, { adr: "260.00", is_canceled: true, reservation_status: "Canceled" }),
      bookingRow(11, 250, { adr: "90.00" }),
    ]);
    // act
    const m = await runLocalEtl({ source, ...mor }, { maxDeltaLayers: 2 });
    await runLocalEtl({ source, ...cow }, cowOptions);
    // assert
    expect(m.steps.find((x) => x.job === "load.bookings")?.operation).toBe("delta");
    const now = await content(mor);
    expect(now).toEqual(await content(cow));
    for (const zone of ["processed", "curated"] as const) {
      const s = await snapshot(mor, zone, "bookings");
      // 5, 8, 11 and 121 once each; 5, 8 and 11 supersede base rows
      expect(s!.files.filter((f) => f.role === "delta").map((f) => [f.layer, f.rows, f.supersedes])).toEqual([
        [1, 4, 3],
      ]);
      expect(s!.rows).toBe(now[`${zone}.bookings`]!.length);
    }
  });

  it("--compact folds the deltas into the base files and keeps the content", async () => {
    // prepare
    const before = await content(mor);
    // act
    const s = await runLocalEtl({ source, ...mor }, { compact: true });
    // assert
    expect(s.steps.filter((x) => x.operation === "compact").map((x) => x.job)).toEqual([
      "transform.bookings",
      "load.bookings",
    ]);
    expect(await content(mor)).toEqual(before);
    // the compactions change no row: the dependants diff against the versions they were built from
    const op = (job: string) => s.steps.find((x) => x.job === job)?.operation;
    expect([op("load.customers"), op("load.hotel_daily")]).toEqual(["unchanged", "aggregate+compact"]);
    for (const table of ["customers", "hotel_daily"])
      expect((await snapshot(mor, "curated", table))!.files.some((f) => f.role === "delta")).toBe(false);
    for (const zone of ["processed", "curated"] as const) {
      const snap = await snapshot(mor, zone, "bookings");
      expect(snap!.files.some((f) => f.role === "delta")).toBe(false);
      expect(snap!.rows).toBe(zone === "processed" ? 119 : 119);
    }
  });

  it("after a compaction the next change is a delta again, and hotel_daily (delta-aggregated or partly recomputed) still matches a full recompute", async () => {
    // prepare
    await upsertBookings(source, [bookingRow(12, 300, { stays_in_week_nights: 9 })]);
    // act
    const s = await runLocalEtl({ source, ...mor });
    await runLocalEtl({ source, ...cow }, cowOptions);
    // assert
    expect(s.steps.find((x) => x.job === "load.bookings")?.operation).toBe("delta");
    // nights are not among the columns curated.customers reads of a booking
    expect(s.steps.find((x) => x.job === "load.customers")?.operation).toBe("unchanged");
    for (const l of [mor, cow]) {
      const recomputed = tempLake();
      cpSync(l.root, recomputed.root, { recursive: true });
      await runLocalEtl({ source, ...recomputed }, { full: true, jobs: ["load.hotel_daily"] });
      expect((await content(l))["curated.hotel_daily"]).toEqual(
        (await content(recomputed))["curated.hotel_daily"],
      );
    }
    expect(await content(mor)).toEqual(await content(cow));
  });

  it("a renamed hotel reaches every booking of it and its hotel_daily rows", async () => {
    // prepare
    await source.execute("UPDATE hotels SET name = 'City Hotel Two', updated_at = $1 WHERE hotel_id = 2", [
      new Date(Date.UTC(2024, 0, 1) + 400_000),
    ]);
    // act
    const s = await runLocalEtl({ source, ...mor });
    await runLocalEtl({ source, ...cow }, cowOptions);
    // assert
    const now = await content(mor);
    expect(now).toEqual(await content(cow));
    const names = (rows: unknown[]) => [
      ...new Set(
        rows
          .filter((r) => (r as { hotel_id: number }).hotel_id === 2)
          .map((r) => (r as { hotel: string }).hotel),
      ),
    ];
    expect(names(now["curated.bookings"]!)).toEqual(["City Hotel Two"]);
    expect(names(now["curated.hotel_daily"]!)).toEqual(["City Hotel Two"]);
    expect(s.steps.find((x) => x.job === "load.bookings")?.rowsIn).toBe(
      now["curated.bookings"]!.filter((r) => (r as { hotel_id: number }).hotel_id === 2).length,
    );
  });

  it("transform and load run separately: the loads still find what changed in the transform's layer", async () => {
    // prepare: booking 20 re-priced and moved to customer 3; the transform runs alone first
    await upsertBookings(source, [bookingRow(20, 500, { adr: "175.00", customer_id: 3 })]);
    await runLocalEtl({ source, ...mor }, { jobs: ["extract", "transform"] });
    // act
    const s = await runLocalEtl({ source, ...mor }, { jobs: ["load"] });
    await runLocalEtl({ source, ...cow }, cowOptions);
    // assert
    const ops = ["load.bookings", "load.customers", "load.hotel_daily"].map(
      (j) => s.steps.find((x) => x.job === j)?.operation,
    );
    expect(ops[0]).toBe("delta");
    expect(ops[1]).not.toBe("overwrite"); // rebuilt for the customers reached, not whole
    expect(ops[2]).toMatch(/^aggregate\+/);
    expect(await content(mor)).toEqual(await content(cow));
  });
});
