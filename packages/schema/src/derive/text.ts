import type { Column, LogicalType } from "../types.ts";
import { canonicalDecimal } from "./decimal.ts";

/** Markers that mean "no value" in text input (the data set writes `NA` and `NULL`). */
export const NULL_MARKERS: ReadonlySet<string> = new Set(["", "NA", "NULL", "\\N"]);

export type Decoded = { ok: true; value: unknown } | { ok: false; rule: string };

const INT = /^[+-]?\d+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  );
}

/** Text → typed value of a logical type (for CSV cells and COPY text). Null markers are the caller's. */
export function decodeText(type: LogicalType, text: string): Decoded {
  const s = text.trim();
  switch (type.kind) {
    case "string":
      return { ok: true, value: s };
    case "int32":
    case "int64": {
      if (!INT.test(s)) return { ok: false, rule: `not an integer` };
      const n = Number(s);
      const limit = type.kind === "int32" ? 2 ** 31 : Number.MAX_SAFE_INTEGER;
      if (n >= limit || n < -limit) return { ok: false, rule: `outside the ${type.kind} range` };
      return { ok: true, value: n };
    }
    case "double": {
      const n = Number(s);
      if (s === "" || !Number.isFinite(n)) return { ok: false, rule: "not a finite number" };
      return { ok: true, value: n };
    }
    case "decimal": {
      const d = canonicalDecimal(s, type.precision, type.scale);
      return typeof d === "string" ? { ok: true, value: d } : { ok: false, rule: d.error };
    }
    case "boolean": {
      const v = s.toLowerCase();
      if (["1", "t", "true", "yes", "y"].includes(v)) return { ok: true, value: true };
      if (["0", "f", "false", "no", "n"].includes(v)) return { ok: true, value: false };
      return { ok: false, rule: "not a boolean" };
    }
    case "date":
      return isCalendarDate(s)
        ? { ok: true, value: s }
        : { ok: false, rule: "not a calendar date (YYYY-MM-DD)" };
    case "timestamp": {
      const d = new Date(s.includes("T") || s.includes(" ") ? s.replace(" ", "T") : `${s}T00:00:00Z`);
      return Number.isNaN(d.getTime()) ? { ok: false, rule: "not a timestamp" } : { ok: true, value: d };
    }
  }
}

/** Decodes one text cell of a column: null markers become null (or an error when not nullable). */
export function decodeCell(c: Column, text: string | null | undefined): Decoded {
  if (text === null || text === undefined || NULL_MARKERS.has(text.trim())) {
    return c.nullable ? { ok: true, value: null } : { ok: false, rule: "required" };
  }
  return decodeText(c.type, text);
}

function escapeCopy(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (ch) =>
    ch === "\\" ? "\\\\" : ch === "\t" ? "\\t" : ch === "\n" ? "\\n" : "\\r",
  );
}

/** A typed value in PostgreSQL COPY text format (`\N` for null, tabs and newlines escaped). */
export function encodeCopyText(type: LogicalType, v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  switch (type.kind) {
    case "boolean":
      return v ? "t" : "f";
    case "timestamp":
      return (v instanceof Date ? v : new Date(String(v))).toISOString();
    case "string":
      return escapeCopy(String(v));
    default:
      return String(v);
  }
}

/** One COPY text line (no trailing newline) for the given columns of a typed record. */
export function copyTextLine(columns: readonly Column[], row: Record<string, unknown>): string {
  let out = "";
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    out += (i ? "\t" : "") + encodeCopyText(c.type, row[c.name]);
  }
  return out;
}
