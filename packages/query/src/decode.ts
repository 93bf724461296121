import type { ResultColumn } from "./port.ts";

/** Logical type of an engine's result type name. DuckDB (`DECIMAL(38,2)`, `BIGINT`, `TIMESTAMP WITH TIME
 * ZONE`) and Athena/Trino (`decimal`, `bigint`, `timestamp`) names both map here; Athena passes precision and
 * scale separately. Anything else is `unknown` and is passed through as text. */
export function logicalTypeOf(engineType: string, precision?: number, scale?: number): ResultColumn["type"] {
  const t = engineType.trim().toUpperCase();
  const dec = /^DECIMAL(?:\((\d+)\s*,\s*(\d+)\))?$/.exec(t);
  if (dec) {
    return {
      kind: "decimal",
      precision: dec[1] ? Number(dec[1]) : (precision ?? 38),
      scale: dec[2] ? Number(dec[2]) : (scale ?? 0),
    };
  }
  switch (t) {
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
    case "INT":
    case "UTINYINT":
    case "USMALLINT":
      return { kind: "int32" };
    case "BIGINT":
    case "HUGEINT":
    case "UINTEGER":
    case "UBIGINT":
      return { kind: "int64" };
    case "DOUBLE":
    case "FLOAT":
    case "REAL":
      return { kind: "double" };
    case "BOOLEAN":
      return { kind: "boolean" };
    case "DATE":
      return { kind: "date" };
    case "TIMESTAMP":
    case "TIMESTAMP WITH TIME ZONE":
    case "TIMESTAMP_S":
    case "TIMESTAMP_MS":
    case "TIMESTAMP_NS":
      return { kind: "timestamp" };
    case "VARCHAR":
    case "CHAR":
    case "STRING":
      return { kind: "string" };
    default:
      if (/^(VAR)?CHAR\(\d+\)$/.test(t)) return { kind: "string" };
      return { kind: "unknown", engineType };
  }
}

/** Canonical decimal text of a scaled integer: `-12.30` for (-1230n, 2). Money never passes through a float. */
export function decimalText(scaled: bigint, scale: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(scale + 1, "0");
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return `${negative ? "-" : ""}${int}${scale > 0 ? `.${frac}` : ""}`;
}

/** Canonical decimal text of a decimal literal at `scale` (Athena returns `12.3` or `12.30`). */
export function canonicalDecimalText(text: string, scale: number): string {
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  const frac = (m[3] ?? "").padEnd(scale, "0");
  const extra = frac.slice(scale);
  if (/[1-9]/.test(extra)) return text.trim(); // more digits than the declared scale: keep as given
  const scaled = BigInt(`${m[2] || "0"}${frac.slice(0, scale)}`);
  return decimalText(m[1] === "-" ? -scaled : scaled, scale);
}

/** An int64 as a JS number when it is exactly representable, else its decimal text (never a lossy number). */
export function int64Value(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v.toString();
}

/** `YYYY-MM-DD` of a day count since 1970-01-01 (proleptic Gregorian, no time zone). */
export function isoDateOfDays(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}
