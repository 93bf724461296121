import { describe, expect, it } from "vitest";
import { checkPortableSql, loadJobs, transformJobs, transformSql } from "../src/index.ts";

/** Every statement a job definition contributes, by a readable name. */
const statements = [
  ...transformJobs.flatMap((j) =>
    Object.entries(transformSql(j)).map(([part, sql]) => [`${j.name}.${part}`, sql] as const),
  ),
  ...loadJobs.map((j) => [j.name, j.sql] as const),
  ...loadJobs.flatMap((j) =>
    j.mode.kind === "aggregate" ? [[`${j.name}.combine`, j.mode.combine] as const] : [],
  ),
];

describe("portable SQL subset", () => {
  it.each(statements)("%s stays inside the subset", (_name, sql) => {
    // act
    const violations = checkPortableSql(sql);
    // assert
    expect(violations).toEqual([]);
  });

  it.each([
    ["DuckDB cast shorthand", "SELECT x::int FROM t", "::"],
    ["DuckDB-only function", "SELECT regexp_matches(x, 'a') FROM t", "regexp_matches"],
    ["Spark-only function", "SELECT nvl(x, 1) FROM t", "nvl"],
    ["quoted identifier", 'SELECT "x" FROM t', '"'],
    ["type outside the subset", "SELECT CAST(x AS hugeint) FROM t", "hugeint"],
    ["backslash in a literal", "SELECT 'a\\tb' FROM t", "'a\\tb'"],
    ["comment", "SELECT x -- note\nFROM t", "--"],
  ])("flags a %s", (_what, sql, token) => {
    // act
    const violations = checkPortableSql(sql);
    // assert
    expect(violations.map((v) => v.token)).toContain(token);
  });

  it("covers every curated table and every processed table", () => {
    // assert: one load per curated table, one transform per source mirror
    expect(loadJobs.map((j) => j.target.name).sort()).toEqual([
      "bookings",
      "customers",
      "hotel_daily",
      "hotels",
      "reviews",
    ]);
    expect(transformJobs.map((j) => j.target.name)).toEqual(["hotels", "customers", "bookings", "reviews"]);
  });
});
