import { type Column, NULL_MARKERS, processedTables, rawTables, type TableDef } from "@hotels/schema";
import { ident, lit, portableRegex } from "../sql/portable.ts";
import type { RejectRule, TransformJob } from "./types.ts";

const markers = [...NULL_MARKERS].filter((m) => !m.includes("\\"));

/** Cleaning of one column: strings trimmed, the data set's null markers (`NA`, `NULL`, empty) made null.
 * Every value is then cast to its schema type by the projection. */
function cleanExpr(c: Column): string {
  const id = ident(c.name);
  if (c.type.kind !== "string") return id;
  if (!c.nullable) return `TRIM(${id})`;
  return `CASE WHEN TRIM(${id}) IN (${markers.map(lit).join(", ")}) THEN NULL ELSE TRIM(${id}) END`;
}

/** The schema's own constraints as reject rules: required, closed domain, bounds, pattern. */
function schemaRules(t: TableDef): RejectRule[] {
  const rules: RejectRule[] = [];
  for (const c of t.columns) {
    const id = ident(c.name);
    if (!c.nullable) rules.push({ rule: "required", field: c.name, when: `${id} IS NULL` });
    if (c.enum)
      rules.push({
        rule: `must be one of: ${c.enum.join(", ")}`,
        field: c.name,
        when: `${id} NOT IN (${c.enum.map(lit).join(", ")})`,
      });
    if (c.min !== undefined)
      rules.push({ rule: `must be ≥ ${c.min}`, field: c.name, when: `${id} < ${c.min}` });
    if (c.max !== undefined)
      rules.push({ rule: `must be ≤ ${c.max}`, field: c.name, when: `${id} > ${c.max}` });
    if (c.pattern)
      rules.push({
        rule: `must match the ${c.name} pattern`,
        field: c.name,
        when: `NOT regexp_like(${id}, ${lit(portableRegex(c.pattern))})`,
      });
  }
  return rules;
}

/** Business rules beyond the column constraints, per table. Referential rules read the processed
 * dimensions, so transforms run in foreign-key order (hotels, customers, bookings, reviews). */
const businessRules: Readonly<Record<string, readonly RejectRule[]>> = {
  bookings: [
    { rule: "negative adr", field: "adr", when: "adr < 0" },
    {
      rule: "zero guests (adults + children + babies = 0)",
      field: null,
      when: "adults + COALESCE(children, 0) + babies = 0",
    },
    {
      rule: "arrival_date differs from arrival_date_year/month/day_of_month",
      field: "arrival_date",
      when: "arrival_date <> make_date(arrival_date_year, arrival_date_month, arrival_date_day_of_month)",
    },
    {
      rule: "unknown hotel",
      field: "hotel_id",
      when: "hotel_id NOT IN (SELECT hotel_id FROM processed_hotels)",
    },
    {
      rule: "unknown customer",
      field: "customer_id",
      when: "customer_id IS NOT NULL AND customer_id NOT IN (SELECT customer_id FROM processed_customers)",
    },
  ],
  reviews: [
    { rule: "score outside 1.0..10.0", field: "score", when: "score < 1 OR score > 10" },
    {
      rule: "unknown hotel",
      field: "hotel_id",
      when: "hotel_id NOT IN (SELECT hotel_id FROM processed_hotels)",
    },
    {
      rule: "unknown booking",
      field: "booking_id",
      when: "booking_id NOT IN (SELECT booking_id FROM processed_bookings)",
    },
  ],
};

const reads: Readonly<Record<string, readonly string[]>> = {
  bookings: ["processed_hotels", "processed_customers"],
  reviews: ["processed_hotels", "processed_bookings"],
};

/** File buckets of processed tables (a `bucketed` placement rewrites only the buckets a compaction
 * reaches). None is bucketed: see `placementOf`. */
const buckets: Readonly<Record<string, string>> = {};

export const transformJobs: readonly TransformJob[] = processedTables.map((target) => {
  const source = rawTables.find((r) => r.name === target.name)!;
  return {
    kind: "transform",
    name: `transform.${target.name}`,
    source,
    target,
    key: target.primaryKey[0]!,
    versionColumn: target.versionColumn ?? "updated_at",
    clean: Object.fromEntries(target.columns.map((c) => [c.name, cleanExpr(c)])),
    rules: [...schemaRules(target), ...(businessRules[target.name] ?? [])],
    bucket: buckets[target.name] ?? "'all'",
    reads: reads[target.name] ?? [],
  };
});
