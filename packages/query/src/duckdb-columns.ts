import {
  type DuckDBDataChunk,
  DuckDBDateValue,
  DuckDBDecimalType,
  DuckDBDecimalValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBVector,
} from "@duckdb/node-api";
import { decimalText, int64Value, isoDateOfDays } from "./decode.ts";

/** What the fast paths read of a vector: its typed array and validity words. These are the vectors'
 * own (non-exported) fields in @duckdb/node-api 1.5; when a version lacks them, the column falls back to
 * the public `getItem` (same values, ~5-10× slower on large results). */
interface VectorInternals {
  readonly items?: unknown;
  readonly dataView?: unknown;
  readonly validity?: { readonly data?: BigUint64Array | null; readonly offset?: number };
}

/** Validity as bytes (bit i of the little-endian words = byte i>>3, bit i&7); null: every row valid. */
function validityBytes(v: VectorInternals): Uint8Array | null | undefined {
  const val = v.validity;
  if (!val || (val.offset ?? 0) !== 0) return undefined;
  if (!val.data) return null;
  return new Uint8Array(val.data.buffer, val.data.byteOffset, val.data.byteLength);
}

const TWO32 = 2 ** 32;

/** An int64 at word pair i (low unsigned, high signed) as a number when exactly representable. */
function int64At(u32: Uint32Array, i32: Int32Array, i: number): number | undefined {
  const hi = i32[2 * i + 1]!;
  // |value| < 2^53 ⇔ the high word is in [-2^21, 2^21).
  return hi >= -2_097_152 && hi < 2_097_152 ? hi * TWO32 + u32[2 * i]! : undefined;
}

/** Canonical decimal text of a scaled integer given as a safe JS integer (no BigInt on the common path). */
function decimalTextOfNumber(scaled: number, scale: number, pow: number): string {
  if (scale === 0) return String(scaled);
  const negative = scaled < 0;
  const abs = negative ? -scaled : scaled;
  const rest = abs % pow; // exact: integers below 2^53
  const int = (abs - rest) / pow;
  const frac = String(rest).padStart(scale, "0");
  return `${negative ? "-" : ""}${int}.${frac}`;
}

/** Every value of one column of a materialised result, decoded to the port's typed values (decimals as
 * canonical strings, dates `YYYY-MM-DD`, timestamps `Date`, int64 as number when safe, SQL NULL null).
 * Column-wise over DuckDB's vectors: no per-cell value objects on the common types. */
export function decodeColumn(chunks: readonly DuckDBDataChunk[], c: number, type: DuckDBType): unknown[] {
  let total = 0;
  for (const ch of chunks) total += ch.rowCount;
  const out: unknown[] = new Array(total);
  const dates = new Map<number, string>();
  let at = 0;
  for (const ch of chunks) {
    const n = ch.rowCount;
    const vec = ch.getColumnVector(c);
    if (!decodeFast(vec, type, n, out, at, dates))
      for (let r = 0; r < n; r++) out[at + r] = jsValue(vec.getItem(r));
    at += n;
  }
  return out;
}

function decodeFast(
  vec: DuckDBVector,
  type: DuckDBType,
  n: number,
  out: unknown[],
  at: number,
  dates: Map<number, string>,
): boolean {
  const v = vec as unknown as VectorInternals;
  const valid = validityBytes(v);
  if (valid === undefined) return false;
  const isNull = (r: number) => valid !== null && (valid[r >> 3]! & (1 << (r & 7))) === 0;
  const items = v.items;
  switch (type.typeId) {
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE: {
      if (!ArrayBuffer.isView(items) || items instanceof DataView || items instanceof BigInt64Array)
        return false;
      const a = items as unknown as ArrayLike<number>;
      if (a.length < n) return false;
      for (let r = 0; r < n; r++) out[at + r] = isNull(r) ? null : a[r];
      return true;
    }
    case DuckDBTypeId.BIGINT: {
      if (!(items instanceof BigInt64Array) || items.length < n) return false;
      const u32 = new Uint32Array(items.buffer, items.byteOffset, 2 * n);
      const i32 = new Int32Array(items.buffer, items.byteOffset, 2 * n);
      for (let r = 0; r < n; r++)
        out[at + r] = isNull(r) ? null : (int64At(u32, i32, r) ?? int64Value(items[r]!));
      return true;
    }
    case DuckDBTypeId.DATE: {
      if (!(items instanceof Int32Array) || items.length < n) return false;
      for (let r = 0; r < n; r++) {
        if (isNull(r)) {
          out[at + r] = null;
          continue;
        }
        const d = items[r]!;
        let s = dates.get(d);
        if (s === undefined) {
          // ±infinity dates are int32 extremes: keep DuckDB's text for them.
          s = d === 2_147_483_647 || d === -2_147_483_647 ? String(new DuckDBDateValue(d)) : isoDateOfDays(d);
          dates.set(d, s);
        }
        out[at + r] = s;
      }
      return true;
    }
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      if (!(items instanceof BigInt64Array) || items.length < n) return false;
      const u32 = new Uint32Array(items.buffer, items.byteOffset, 2 * n);
      const i32 = new Int32Array(items.buffer, items.byteOffset, 2 * n);
      for (let r = 0; r < n; r++) {
        if (isNull(r)) {
          out[at + r] = null;
          continue;
        }
        const micros = int64At(u32, i32, r);
        out[at + r] =
          micros !== undefined ? new Date(Math.trunc(micros / 1000)) : new Date(Number(items[r]! / 1000n));
      }
      return true;
    }
    case DuckDBTypeId.DECIMAL: {
      if (!(type instanceof DuckDBDecimalType)) return false;
      const dv = v.dataView;
      if (!(dv instanceof DataView)) return false;
      const { width, scale } = type;
      const pow = 10 ** scale;
      const bytes = width <= 4 ? 2 : width <= 9 ? 4 : width <= 18 ? 8 : 16;
      if (bytes === 16 || dv.byteLength < n * bytes) return false;
      const le = true; // DuckDB stores native order; every platform it ships for is little-endian.
      for (let r = 0; r < n; r++) {
        if (isNull(r)) {
          out[at + r] = null;
          continue;
        }
        if (bytes === 2) out[at + r] = decimalTextOfNumber(dv.getInt16(r * 2, le), scale, pow);
        else if (bytes === 4) out[at + r] = decimalTextOfNumber(dv.getInt32(r * 4, le), scale, pow);
        else {
          const hi = dv.getInt32(r * 8 + 4, le);
          out[at + r] =
            hi >= -2_097_152 && hi < 2_097_152
              ? decimalTextOfNumber(hi * TWO32 + dv.getUint32(r * 8, le), scale, pow)
              : decimalText(dv.getBigInt64(r * 8, le), scale);
        }
      }
      return true;
    }
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.BOOLEAN: {
      // The public getter decodes these well; only the BigInt validity test is skipped.
      for (let r = 0; r < n; r++) out[at + r] = isNull(r) ? null : vec.getItem(r);
      return true;
    }
    default:
      return false;
  }
}

/** A DuckDB value as the port's typed value (the general path, for types without a fast one). */
export function jsValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "bigint":
      return int64Value(v);
    case "number":
    case "string":
    case "boolean":
      return v;
  }
  if (v instanceof DuckDBDecimalValue) return decimalText(v.value, v.scale);
  if (v instanceof DuckDBDateValue) return v.isFinite ? isoDateOfDays(v.days) : String(v);
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue)
    return new Date(Number(v.micros / 1000n));
  if (v instanceof DuckDBTimestampMillisecondsValue) return new Date(Number(v.millis));
  if (v instanceof DuckDBTimestampSecondsValue) return new Date(Number(v.seconds) * 1000);
  if (v instanceof DuckDBTimestampNanosecondsValue) return new Date(Number(v.nanos / 1_000_000n));
  return String(v);
}
