import { bookings, reviews, validateRecord } from "@hotels/schema";
import { describe, expect, it } from "vitest";
import { generate } from "../src/generate.ts";
import { tableCodec } from "../src/ingest/validate.ts";

/** The compiled codec is a faster twin of the schema's zod validator: same verdicts, same fields. */
describe("compiled per-column validator", () => {
  const base = [...generate({ bookings: 50, seed: 3 })].find((g) => g.table === "bookings")!
    .record as unknown as Record<string, unknown>;
  const cases: [string, Record<string, unknown>][] = [
    ["valid", base],
    ["negative adr is valid", { ...base, adr: "-6.38" }],
    ["adr as number", { ...base, adr: 75.5 }],
    ["adr with 3 decimals", { ...base, adr: "1.234" }],
    ["adr too big", { ...base, adr: "123456789.00" }],
    ["lead_time over max", { ...base, lead_time: 1001 }],
    ["lead_time fractional", { ...base, lead_time: 1.5 }],
    ["lead_time text", { ...base, lead_time: "5" }],
    ["meal outside enum", { ...base, meal: "XX" }],
    ["country pattern", { ...base, country: "pt" }],
    ["null in nullable", { ...base, children: null, country: null }],
    ["missing required", { ...base, hotel_id: undefined }],
    ["bad date", { ...base, arrival_date: "2015-02-29" }],
    ["leap date", { ...base, arrival_date: "2016-02-29" }],
    ["bad timestamp", { ...base, updated_at: "yesterday" }],
    ["boolean as number", { ...base, is_canceled: 1 }],
    ["unknown field", { ...base, extra: 1 }],
  ];
  it.each(cases)("%s", (_, record) => {
    const zod = validateRecord(bookings, record);
    const fast = tableCodec(bookings).fromValues(record);
    expect(fast.ok).toBe(zod.ok);
    if (!fast.ok && !zod.ok)
      expect(fast.problems.map((p) => p.field).sort()).toEqual(zod.problems.map((p) => p.field).sort());
  });

  it("encodes a valid record as its COPY text line, canonical decimals included", () => {
    const r = {
      review_id: 1,
      booking_id: 2,
      hotel_id: 3,
      score: "8",
      title: "a\tb",
      body: "x\\y",
      created_at: new Date("2020-01-01T00:00:00Z"),
      updated_at: "2020-01-01T00:00:00Z",
    };
    expect(tableCodec(reviews).fromValues(r)).toEqual({
      ok: true,
      line: "1\t2\t3\t8.0\ta\\tb\tx\\\\y\t2020-01-01T00:00:00.000Z\t2020-01-01T00:00:00.000Z",
    });
  });
});
