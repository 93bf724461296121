import { createHash } from "node:crypto";
import { sourceTables, validateRecord } from "@hotels/schema";
import { describe, expect, it } from "vitest";
import { type Generated, generate } from "../src/generate.ts";

const digest = (xs: Iterable<Generated>) => {
  const h = createHash("sha256");
  for (const g of xs) h.update(JSON.stringify(g));
  return h.digest("hex");
};

describe("generate", () => {
  it("is deterministic per seed and differs between seeds", () => {
    expect(digest(generate({ bookings: 2000, seed: 5 }))).toBe(digest(generate({ bookings: 2000, seed: 5 })));
    expect(digest(generate({ bookings: 2000, seed: 5 }))).not.toBe(
      digest(generate({ bookings: 2000, seed: 6 })),
    );
  });

  it("emits valid records, parents before children, N distinct bookings", () => {
    // act
    const seen = { hotels: new Set<number>(), customers: new Set<number>(), bookings: new Set<number>() };
    const counts: Record<string, number> = {};
    const invalid: unknown[] = [];
    for (const g of generate({ bookings: 3000, seed: 2 })) {
      counts[g.table] = (counts[g.table] ?? 0) + 1;
      const t = sourceTables.find((x) => x.name === g.table)!;
      const v = validateRecord(t, g.record);
      if (!v.ok) invalid.push({ g, problems: v.problems });
      if (g.table === "hotels") seen.hotels.add(g.record.hotel_id);
      if (g.table === "customers") seen.customers.add(g.record.customer_id);
      if (g.table === "bookings") {
        expect(seen.hotels.has(g.record.hotel_id)).toBe(true);
        expect(seen.customers.has(g.record.customer_id!)).toBe(true);
        seen.bookings.add(g.record.booking_id);
      }
      if (g.table === "reviews") expect(seen.bookings.has(g.record.booking_id)).toBe(true);
    }
    // assert
    expect(invalid).toEqual([]);
    expect(counts.bookings).toBe(3000);
    expect(seen.bookings.size).toBe(3000);
    expect(counts.hotels).toBeGreaterThanOrEqual(10);
    expect(counts.reviews).toBeGreaterThan(300);
    expect(
      new Set(
        [...generate({ bookings: 3000, seed: 2 })]
          .filter((g) => g.table === "hotels")
          .map((g) => (g.record as { city: string }).city),
      ).size,
    ).toBeGreaterThan(5);
  });

  it("drives cancellation by lead time, deposit, previous cancellations and special requests", () => {
    // prepare: final states = the initial stream with the updates applied
    type B = {
      booking_id: number;
      is_canceled: boolean;
      lead_time: number;
      deposit_type: string;
      previous_cancellations: number;
      total_of_special_requests: number;
    };
    const final = new Map<number, B>();
    for (const updates of [false, true])
      for (const g of generate({ bookings: 40_000, seed: 9, updates }))
        if (g.table === "bookings") final.set(g.record.booking_id, g.record as unknown as B);
    const rows = [...final.values()];
    const rate = (f: (r: B) => boolean) => {
      const xs = rows.filter(f);
      return xs.filter((r) => r.is_canceled).length / xs.length;
    };
    // assert: clear, learnable effects
    expect(rate((r) => r.deposit_type === "Non Refund")).toBeGreaterThan(
      rate((r) => r.deposit_type === "No Deposit") + 0.2,
    );
    expect(rate((r) => r.lead_time > 200)).toBeGreaterThan(rate((r) => r.lead_time < 30) + 0.15);
    expect(rate((r) => r.total_of_special_requests === 0)).toBeGreaterThan(
      rate((r) => r.total_of_special_requests >= 2) + 0.1,
    );
    expect(rate((r) => r.previous_cancellations >= 2)).toBeGreaterThan(
      rate((r) => r.previous_cancellations === 0),
    );
    const overall = rate(() => true);
    expect(overall).toBeGreaterThan(0.2);
    expect(overall).toBeLessThan(0.5);
  });

  it("emits later updates of the same bookings, with later updated_at", () => {
    // prepare
    const initial = new Map<number, { updated_at: Date; is_canceled: boolean }>();
    for (const g of generate({ bookings: 5000, seed: 4 }))
      if (g.table === "bookings") initial.set(g.record.booking_id, g.record);
    // act
    const updates = [...generate({ bookings: 5000, seed: 4, updates: true })];
    // assert
    expect(updates.length).toBeGreaterThan(300);
    expect(updates.every((u) => u.table === "bookings")).toBe(true);
    let cancellations = 0;
    for (const u of updates) {
      const r = u.record as { booking_id: number; updated_at: Date; is_canceled: boolean };
      const before = initial.get(r.booking_id)!;
      expect(r.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());
      if (r.is_canceled && !before.is_canceled) cancellations++;
    }
    expect(cancellations).toBeGreaterThan(100);
  });
});
