import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type Booking,
  bookings,
  cancellationFeatures,
  canonicalDecimal,
  curatedBookings,
  decodeCell,
  hotels,
  lakeTables,
  monthNumber,
  sourceTables,
  validateRecord,
} from "../src/index.ts";

const goodBooking = {
  booking_id: 1,
  hotel_id: 1,
  customer_id: null,
  is_canceled: false,
  lead_time: 342,
  arrival_date: "2015-07-01",
  arrival_date_year: 2015,
  arrival_date_month: 7,
  arrival_date_week_number: 27,
  arrival_date_day_of_month: 1,
  stays_in_weekend_nights: 0,
  stays_in_week_nights: 0,
  adults: 2,
  children: 0,
  babies: 0,
  meal: "BB",
  country: "PRT",
  market_segment: "Direct",
  distribution_channel: "Direct",
  is_repeated_guest: false,
  previous_cancellations: 0,
  previous_bookings_not_canceled: 0,
  reserved_room_type: "C",
  assigned_room_type: "C",
  booking_changes: 3,
  deposit_type: "No Deposit",
  agent: null,
  company: null,
  days_in_waiting_list: 0,
  customer_type: "Transient",
  adr: "0",
  required_car_parking_spaces: 0,
  total_of_special_requests: 0,
  reservation_status: "Check-Out",
  reservation_status_date: "2015-07-01",
  updated_at: "2015-07-01T00:00:00Z",
};

describe("record validator", () => {
  it("accepts a good booking and returns it typed and canonical", () => {
    const r = validateRecord(bookings, goodBooking);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.adr).toBe("0.00");
    expect(r.value.updated_at).toEqual(new Date("2015-07-01T00:00:00Z"));
    expectTypeOf(r.value).toEqualTypeOf<Booking>();
    expectTypeOf(r.value.meal).toEqualTypeOf<"BB" | "FB" | "HB" | "SC" | "Undefined">();
    expectTypeOf(r.value.children).toEqualTypeOf<number | null>();
  });

  it("returns every problem of a bad record with field, value and rule", () => {
    // prepare
    const bad = {
      ...goodBooking,
      meal: "XX",
      lead_time: -1,
      adr: "12.345",
      arrival_date: "2015-02-30",
      extra: 1,
    };
    const { hotel_id: _, ...missing } = bad;
    // act
    const r = validateRecord(bookings, missing);
    // assert
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byField = Object.fromEntries(r.problems.map((p) => [p.field, p]));
    expect(Object.keys(byField).sort()).toEqual([
      "adr",
      "arrival_date",
      "extra",
      "hotel_id",
      "lead_time",
      "meal",
    ]);
    expect(byField.meal).toMatchObject({ value: "XX", rule: expect.stringContaining("one of") });
    expect(byField.lead_time).toMatchObject({ value: -1, rule: "must be ≥ 0" });
    expect(byField.adr!.rule).toContain("decimal places");
    expect(byField.hotel_id!.rule).toBe("required");
    expect(byField.extra!.rule).toBe("unknown field");
  });

  it("has a validator for every table", () => {
    for (const t of [...sourceTables, ...lakeTables]) {
      const r = validateRecord(t, {});
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problems.length).toBe(t.columns.length);
    }
    expect(validateRecord(hotels, { ...goodBooking }).ok).toBe(false);
  });
});

describe("text codecs", () => {
  it("decodes cells with the data set's null markers and month names", () => {
    const children = bookings.columns.find((c) => c.name === "children")!;
    const adults = bookings.columns.find((c) => c.name === "adults")!;
    expect(decodeCell(children, "NA")).toEqual({ ok: true, value: null });
    expect(decodeCell(adults, "NULL")).toEqual({ ok: false, rule: "required" });
    expect(decodeCell(adults, " 2 ")).toEqual({ ok: true, value: 2 });
    expect(decodeCell(adults, "2.5")).toEqual({ ok: false, rule: "not an integer" });
    expect(monthNumber("July")).toBe(7);
    expect(monthNumber("jul")).toBe(7);
    expect(monthNumber("Juli")).toBeUndefined();
    expect(canonicalDecimal("-6.38", 10, 2)).toBe("-6.38");
    expect(canonicalDecimal("105.5", 10, 2)).toBe("105.50");
    expect(canonicalDecimal("123456789", 10, 2)).toEqual({ error: "more than 8 integer digits" });
  });
});

describe("feature spec", () => {
  it("lists the 29 non-leaking attributes, each a column of curated.bookings", () => {
    const cols = new Set(curatedBookings.columns.map((c) => c.name));
    expect(cancellationFeatures.features).toHaveLength(29);
    for (const f of cancellationFeatures.features) expect(cols.has(f.column)).toBe(true);
    const used = cancellationFeatures.features.map((f) => f.column);
    for (const leak of [...cancellationFeatures.leaking, cancellationFeatures.label])
      expect(used).not.toContain(leak);
  });
});
