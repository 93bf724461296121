import { describe, expect, it } from "vitest";
import { featureRanges } from "../src/parallel.ts";

describe("featureRanges", () => {
  it("splits features into contiguous, non-empty ranges of about equal weight", () => {
    // prepare: dense features first, sparse ones after (as the bookings data's stored entries)
    const weight = [9, 9, 9, 1, 1, 1, 1, 1, 1, 1];
    // act
    const even = featureRanges(2, 10);
    const weighted = featureRanges(2, 10, weight);
    const many = featureRanges(8, 3);
    const skewed = featureRanges(3, 4, [0, 0, 0, 10]);
    // assert
    expect(even).toEqual([
      [0, 5],
      [5, 10],
    ]);
    expect(weighted).toEqual([
      [0, 2],
      [2, 10],
    ]);
    expect(many).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    for (const r of [even, weighted, many, skewed]) {
      expect(r[0]![0]).toBe(0);
      for (let i = 0; i < r.length; i++) {
        expect(r[i]![1]).toBeGreaterThan(r[i]![0]);
        if (i > 0) expect(r[i]![0]).toBe(r[i - 1]![1]);
      }
    }
    expect(skewed[skewed.length - 1]![1]).toBe(4);
  });
});
