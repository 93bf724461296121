import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  bindNamedParams,
  DuckDbQueryEngine,
  functionsUsed,
  namedQueries,
  namedQuery,
  parseNamedQuery,
  placeholderCount,
  runNamedQuery,
} from "../src/index.ts";
import { writeFixtureLake } from "./fixture-data.ts";
import { openLake } from "./lake-fixture.ts";

/** Functions that exist with the same semantics in DuckDB and Athena engine v3 (Trino). Not here on
 * purpose: `date_trunc`/`strftime`/`date_format` (different signatures), `if`/`iif`, `count_if`,
 * `list_*`/`array_*`, `approx_*` (different algorithms), `median`/`quantile*` (Trino has none exact). */
const PORTABLE_FUNCTIONS = new Set([
  "abs",
  "avg",
  "cast",
  "coalesce",
  "count",
  "greatest",
  "least",
  "lower",
  "max",
  "min",
  "nullif",
  "rank",
  "round",
  "row_number",
  "sum",
  "upper",
]);

const root = mkdtempSync(path.join(tmpdir(), "hotels-named-"));
let engine: DuckDbQueryEngine;

beforeAll(async () => {
  const lake = openLake(root);
  await writeFixtureLake(lake);
  engine = await DuckDbQueryEngine.create({ ...lake, writeResults: false });
});
afterAll(async () => {
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

const rows = async (name: string, params: Record<string, unknown> = {}) =>
  (await runNamedQuery(engine, name, params)).rows;

describe("named query files", () => {
  test("every analysis asked for has a file with a description and documented parameters", () => {
    const names = namedQueries().map((q) => q.name);
    expect(names).toEqual([
      "adr_revenue_by_month",
      "average_length_of_stay",
      "cancellation_rate_by_deposit_type",
      "cancellation_rate_by_hotel",
      "cancellation_rate_by_lead_time",
      "cancellation_rate_by_market_segment",
      "occupancy_by_hotel_day",
      "predicted_vs_actual_cancellations",
      "repeat_guest_share",
      "review_scores_by_hotel",
      "top_source_countries",
    ]);
    for (const q of namedQueries()) {
      expect(q.description.length, q.name).toBeGreaterThan(20);
      expect(q.bindings.length, q.name).toBe(placeholderCount(q.sql));
      for (const p of q.params) expect(p.description.length, `${q.name}.${p.name}`).toBeGreaterThan(5);
    }
    expect(namedQuery("adr_revenue_by_month").params).toEqual([
      { name: "hotel", type: "string", optional: true, description: "only this hotel (name)" },
      { name: "year", type: "int", optional: true, description: "only this arrival year" },
      { name: "month", type: "int", optional: true, description: "only this arrival month (1-12)" },
    ]);
  });

  test("every function a named query calls exists with the same semantics in DuckDB and Athena", () => {
    const offenders = namedQueries().flatMap((q) =>
      functionsUsed(q.sql)
        .filter((f) => !PORTABLE_FUNCTIONS.has(f))
        .map((f) => `${q.name}: ${f}`),
    );
    expect(offenders).toEqual([]);
    // The check itself sees calls, and only calls.
    expect(functionsUsed("SELECT date_trunc('month', d), x IN (1), 'count(' FROM t -- strftime(\n")).toEqual([
      "date_trunc",
    ]);
  });

  test("the loader refuses a ? without a parameter name, and an undeclared or unbound parameter", () => {
    expect(() => parseNamedQuery("q", "-- a query\nSELECT ?")).toThrow(/not followed by/);
    expect(() => parseNamedQuery("q", "-- a query\nSELECT ? /* x */")).toThrow(/undeclared parameter x/);
    expect(() => parseNamedQuery("q", "-- a query\n-- @param x int optional the x\nSELECT 1")).toThrow(
      /never bound/,
    );
  });

  test("named parameters bind by name, converted to the declared type", () => {
    const q = namedQuery("adr_revenue_by_month");
    expect(bindNamedParams(q, { hotel: "City Hotel", month: "7" })).toEqual([
      "City Hotel",
      "City Hotel",
      null,
      null,
      7,
      7,
    ]);
    expect(() => bindNamedParams(q, { month: "July" })).toThrow(/month: "July" is not a int/);
    expect(() => bindNamedParams(q, { hotle: "x" })).toThrow(
      /has no parameter hotle; it takes: hotel, year, month/,
    );
  });
});

describe("named queries on the fixture lake", () => {
  test("cancellation_rate_by_hotel", async () => {
    expect(await rows("cancellation_rate_by_hotel")).toEqual([
      { hotel: "City Hotel", bookings: 5, cancellations: 2, cancellation_rate: 0.4 },
      { hotel: "Resort Hotel", bookings: 3, cancellations: 1, cancellation_rate: 0.3333 },
    ]);
    expect(await rows("cancellation_rate_by_hotel", { from_year: 2017 })).toEqual([
      { hotel: "City Hotel", bookings: 3, cancellations: 1, cancellation_rate: 0.3333 },
    ]);
  });

  test("cancellation_rate_by_market_segment", async () => {
    expect(await rows("cancellation_rate_by_market_segment", { hotel: "Resort Hotel" })).toEqual([
      {
        hotel: "Resort Hotel",
        market_segment: "Online TA",
        bookings: 2,
        cancellations: 1,
        cancellation_rate: 0.5,
      },
      {
        hotel: "Resort Hotel",
        market_segment: "Direct",
        bookings: 1,
        cancellations: 0,
        cancellation_rate: 0,
      },
    ]);
    expect(await rows("cancellation_rate_by_market_segment")).toHaveLength(6);
  });

  test("cancellation_rate_by_deposit_type", async () => {
    expect(await rows("cancellation_rate_by_deposit_type")).toEqual([
      {
        hotel: "City Hotel",
        deposit_type: "No Deposit",
        bookings: 4,
        cancellations: 1,
        cancellation_rate: 0.25,
      },
      {
        hotel: "City Hotel",
        deposit_type: "Non Refund",
        bookings: 1,
        cancellations: 1,
        cancellation_rate: 1,
      },
      {
        hotel: "Resort Hotel",
        deposit_type: "No Deposit",
        bookings: 2,
        cancellations: 0,
        cancellation_rate: 0,
      },
      {
        hotel: "Resort Hotel",
        deposit_type: "Non Refund",
        bookings: 1,
        cancellations: 1,
        cancellation_rate: 1,
      },
    ]);
  });

  test("cancellation_rate_by_lead_time: buckets in order", async () => {
    const r = await rows("cancellation_rate_by_lead_time", { hotel: "City Hotel" });
    expect(r.map((x) => [x.lead_time_bucket, x.bookings, x.cancellations])).toEqual([
      ["0-7", 1, 0],
      ["8-30", 2, 1],
      ["91-180", 1, 0],
      ["366+", 1, 1],
    ]);
  });

  test("adr_revenue_by_month: decimals exact, month filter reads one partition", async () => {
    expect(await rows("adr_revenue_by_month", { hotel: "City Hotel" })).toEqual([
      {
        hotel: "City Hotel",
        arrival_year: 2016,
        arrival_month: 7,
        stays: 0,
        room_nights: 0,
        adr: null,
        revenue: "0.00",
      },
      {
        hotel: "City Hotel",
        arrival_year: 2016,
        arrival_month: 8,
        stays: 1,
        room_nights: 2,
        adr: "110.00",
        revenue: "220.00",
      },
      {
        hotel: "City Hotel",
        arrival_year: 2017,
        arrival_month: 1,
        stays: 2,
        room_nights: 6,
        adr: "35.05",
        revenue: "350.50",
      },
    ]);
    const july = await runNamedQuery(engine, "adr_revenue_by_month", { year: 2016, month: 7 });
    expect(july.rows.map((x) => [x.hotel, x.revenue])).toEqual([
      ["City Hotel", "0.00"],
      ["Resort Hotel", "300.00"],
    ]);
    expect(july.stats?.filesScanned).toBe(1);
    expect(july.columns.find((c) => c.name === "revenue")?.type).toEqual({
      kind: "decimal",
      precision: 38,
      scale: 2,
    });
  });

  test("occupancy_by_hotel_day", async () => {
    expect(await rows("occupancy_by_hotel_day", { hotel: "Resort Hotel" })).toEqual([
      {
        hotel: "Resort Hotel",
        stay_date: "2016-07-01",
        occupied_rooms: 5,
        room_count: 10,
        occupancy: 0.5,
        room_revenue: "500.00",
        adr: "100.00",
        arrivals: 2,
        cancellations: 1,
      },
      {
        hotel: "Resort Hotel",
        stay_date: "2016-07-02",
        occupied_rooms: 8,
        room_count: 10,
        occupancy: 0.8,
        room_revenue: "760.00",
        adr: "95.00",
        arrivals: 3,
        cancellations: 0,
      },
    ]);
    const jan = await runNamedQuery(engine, "occupancy_by_hotel_day", { year: 2017, month: 1 });
    expect(jan.rows.map((x) => [x.stay_date, x.occupancy, x.adr])).toEqual([
      ["2017-01-06", 0.5, "70.10"],
      ["2017-01-07", 0, null],
    ]);
    expect(jan.stats?.filesScanned).toBe(2); // one hotel_daily partition + the hotels file
  });

  test("average_length_of_stay counts stays that happened", async () => {
    expect(await rows("average_length_of_stay")).toEqual([
      {
        hotel: "City Hotel",
        customer_type: "Transient",
        stays: 3,
        avg_nights: 2.67,
        avg_weekend_nights: 1,
        avg_week_nights: 1.67,
      },
      {
        hotel: "Resort Hotel",
        customer_type: "Contract",
        stays: 1,
        avg_nights: 4,
        avg_weekend_nights: 1,
        avg_week_nights: 3,
      },
      {
        hotel: "Resort Hotel",
        customer_type: "Transient",
        stays: 1,
        avg_nights: 3,
        avg_weekend_nights: 1,
        avg_week_nights: 2,
      },
    ]);
  });

  test("review_scores_by_hotel", async () => {
    expect(await rows("review_scores_by_hotel")).toEqual([
      {
        hotel: "City Hotel",
        reviews: 3,
        avg_score: 7.83,
        min_score: "6.0",
        max_score: "10.0",
        share_8_plus: 0.3333,
      },
      {
        hotel: "Resort Hotel",
        reviews: 2,
        avg_score: 8.75,
        min_score: "8.0",
        max_score: "9.5",
        share_8_plus: 1,
      },
    ]);
    expect((await rows("review_scores_by_hotel", { min_reviews: 3 })).map((x) => x.hotel)).toEqual([
      "City Hotel",
    ]);
  });

  test("repeat_guest_share", async () => {
    expect(await rows("repeat_guest_share")).toEqual([
      {
        hotel: "City Hotel",
        bookings: 5,
        repeat_bookings: 2,
        repeat_share: 0.4,
        repeat_cancellation_rate: 0,
        first_time_cancellation_rate: 0.6667,
      },
      {
        hotel: "Resort Hotel",
        bookings: 3,
        repeat_bookings: 1,
        repeat_share: 0.3333,
        repeat_cancellation_rate: 0,
        first_time_cancellation_rate: 0.5,
      },
    ]);
  });

  test("top_source_countries leaves unknown countries out and ranks per hotel", async () => {
    expect(await rows("top_source_countries", { top: 2 })).toEqual([
      { hotel: "City Hotel", country_rank: 1, country: "PRT", bookings: 2, cancellation_rate: 0.5 },
      { hotel: "City Hotel", country_rank: 2, country: "ESP", bookings: 1, cancellation_rate: 0 },
      { hotel: "Resort Hotel", country_rank: 1, country: "PRT", bookings: 2, cancellation_rate: 0.5 },
      { hotel: "Resort Hotel", country_rank: 2, country: "GBR", bookings: 1, cancellation_rate: 0 },
    ]);
    expect(await rows("top_source_countries")).toHaveLength(5);
  });

  test("predicted_vs_actual_cancellations joins predictions with bookings", async () => {
    expect(await rows("predicted_vs_actual_cancellations")).toEqual([
      {
        hotel: "City Hotel",
        model_name: "cancellation",
        model_version: "v1",
        bookings: 5,
        predicted_cancellations: 3,
        actual_cancellations: 2,
        avg_probability: 0.56,
        true_positives: 2,
        false_positives: 1,
        false_negatives: 0,
        precision_rate: 0.6667,
        recall_rate: 1,
      },
      {
        hotel: "Resort Hotel",
        model_name: "cancellation",
        model_version: "v1",
        bookings: 3,
        predicted_cancellations: 1,
        actual_cancellations: 1,
        avg_probability: 0.4,
        true_positives: 1,
        false_positives: 0,
        false_negatives: 0,
        precision_rate: 1,
        recall_rate: 1,
      },
    ]);
    expect(await rows("predicted_vs_actual_cancellations", { model_version: "v2" })).toEqual([]);
  });
});
