import { z } from "zod";
import type { Column, RowOf, TableDef } from "../types.ts";
import { canonicalDecimal } from "./decimal.ts";
import { isCalendarDate } from "./text.ts";

function bounded(c: Column, n: number, ctx: z.RefinementCtx) {
  if (c.min !== undefined && n < c.min) ctx.addIssue({ code: "custom", message: `must be ≥ ${c.min}` });
  if (c.max !== undefined && n > c.max) ctx.addIssue({ code: "custom", message: `must be ≤ ${c.max}` });
}

/** zod type of one column (accepts JSON input: decimals as strings or numbers, timestamps as ISO text). */
export function zodColumn(c: Column): z.ZodType {
  const t = c.type;
  let s: z.ZodType;
  switch (t.kind) {
    case "string": {
      if (c.enum) {
        s = z.enum(c.enum as [string, ...string[]], { error: `must be one of: ${c.enum.join(", ")}` });
        break;
      }
      let str = z.string({ error: "must be text" });
      if (c.pattern) str = str.regex(c.pattern, { error: `must match ${c.pattern}` });
      s = str;
      break;
    }
    case "int32":
    case "int64":
      s = z
        .number({ error: "must be a number" })
        .int({ error: "must be an integer" })
        .min(t.kind === "int32" ? -(2 ** 31) : Number.MIN_SAFE_INTEGER, {
          error: `outside the ${t.kind} range`,
        })
        .max(t.kind === "int32" ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER, {
          error: `outside the ${t.kind} range`,
        })
        .superRefine((n, ctx) => bounded(c, n, ctx));
      break;
    case "double":
      s = z
        .number({ error: "must be a number" })
        .refine(Number.isFinite, { error: "must be finite" })
        .superRefine((n, ctx) => bounded(c, n, ctx));
      break;
    case "decimal":
      s = z.union([z.string(), z.number()], { error: "must be a decimal" }).transform((v, ctx) => {
        const d = canonicalDecimal(String(v), t.precision, t.scale);
        if (typeof d !== "string") {
          ctx.addIssue({ code: "custom", message: `must be decimal(${t.precision},${t.scale}): ${d.error}` });
          return z.NEVER;
        }
        bounded(c, Number(d), ctx);
        return d;
      });
      break;
    case "boolean":
      s = z.boolean({ error: "must be true or false" });
      break;
    case "date":
      s = z
        .string({ error: "must be a date" })
        .refine(isCalendarDate, { error: "must be a calendar date YYYY-MM-DD" });
      break;
    case "timestamp":
      s = z
        .union([z.date(), z.iso.datetime({ offset: true, local: true })], { error: "must be a timestamp" })
        .transform((v) => (v instanceof Date ? v : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`)));
      break;
  }
  return c.nullable ? s.nullable() : s;
}

const cache = new WeakMap<TableDef, z.ZodType>();

/** The record schema of a table: strict (an unknown field is an error), every column present. */
export function recordSchema<T extends TableDef>(t: T): z.ZodType<RowOf<T>> {
  let s = cache.get(t);
  if (!s) {
    s = z.strictObject(Object.fromEntries(t.columns.map((c) => [c.name, zodColumn(c)])));
    cache.set(t, s);
  }
  return s as z.ZodType<RowOf<T>>;
}

export interface Problem {
  readonly field: string | null;
  readonly value: unknown;
  readonly rule: string;
}
export type Validation<R> = { ok: true; value: R } | { ok: false; problems: Problem[] };

/** Validates a record, returning every problem (field, value, rule), not only the first. */
export function validateRecord<T extends TableDef>(t: T, input: unknown): Validation<RowOf<T>> {
  const r = recordSchema(t).safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  const rec = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const issue of r.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) problems.push({ field: k, value: rec[k], rule: "unknown field" });
      continue;
    }
    const field = issue.path.length ? String(issue.path[0]) : null;
    const missing = field !== null && !(field in rec);
    problems.push({ field, value: field ? rec[field] : input, rule: missing ? "required" : issue.message });
  }
  return { ok: false, problems };
}
