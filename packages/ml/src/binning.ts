import type { Matrix } from "./dataset.ts";

/** Histogram cuts: feature `f`'s bins are `[cuts[ptr[f]], cuts[ptr[f+1]])`; bin `b` holds the values `v`
 * with `cut[b-1] <= v < cut[b]` (float32), so "go left when x < cut[b]" — XGBoost's split rule — sends
 * exactly bins `0..b` left. The last cut of a feature lies above its maximum. */
export interface Cuts {
  readonly ptr: Int32Array;
  readonly values: Float32Array;
}

/** Quantile cuts of every column: at most `maxBin` bins per feature. A feature with at most `maxBin`
 * distinct values gets one bin per value (exact); otherwise cuts sit at equally spaced ranks of the
 * sorted values (an exact quantile summary, affordable at this scale), each a value present in the data. */
export function computeCuts(m: Matrix, maxBin: number): Cuts {
  const perFeature: Float32Array[] = [];
  const buf = new Float32Array(m.rows);
  const scratch = new Uint32Array(m.rows);
  for (let f = 0; f < m.cols; f++) {
    let n = 0;
    const base = f * m.rows;
    for (let r = 0; r < m.rows; r++) {
      const v = m.values[base + r]!;
      if (!Number.isNaN(v)) buf[n++] = v;
    }
    const sorted = sortFloat32(buf.subarray(0, n), scratch);
    // distinct values
    let k = 0;
    const distinct = new Float32Array(n);
    for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct[k++] = sorted[i]!;
    const cuts: number[] = [];
    if (k === 0) {
      cuts.push(1e-5); // all missing: one (empty) bin
    } else if (k <= maxBin) {
      for (let i = 1; i < k; i++) cuts.push(distinct[i]!);
      cuts.push(upperCut(distinct[k - 1]!));
    } else {
      let last = distinct[0]!;
      for (let b = 1; b < maxBin; b++) {
        const v = sorted[Math.floor((b * n) / maxBin)]!;
        if (v > last) {
          cuts.push(v);
          last = v;
        }
      }
      cuts.push(upperCut(distinct[k - 1]!));
    }
    perFeature.push(Float32Array.from(cuts));
  }
  const ptr = new Int32Array(m.cols + 1);
  for (let f = 0; f < m.cols; f++) ptr[f + 1] = ptr[f]! + perFeature[f]!.length;
  const values = new Float32Array(ptr[m.cols]!);
  for (let f = 0; f < m.cols; f++) values.set(perFeature[f]!, ptr[f]);
  return { ptr, values };
}

/**
 * Sorts non-NaN float32 values in place, ascending (-0 before +0, as TypedArray#sort), by a two-pass LSD
 * radix sort on their order-preserving bit patterns: 10× faster than TypedArray#sort on 95k values, which
 * made up most of the cut computation. `scratch` holds at least `values.length` entries.
 */
function sortFloat32(values: Float32Array, scratch: Uint32Array): Float32Array {
  const n = values.length;
  const keys = new Uint32Array(values.buffer, values.byteOffset, n);
  // order-preserving: flip every bit of negatives, only the sign bit of positives
  for (let i = 0; i < n; i++) {
    const u = keys[i]!;
    keys[i] = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
  }
  const tmp = scratch.subarray(0, n);
  const count = new Uint32Array(65536);
  for (const [from, to, shift] of [
    [keys, tmp, 0],
    [tmp, keys, 16],
  ] as const) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(from[i]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = from[i]!;
      to[count[(k >>> shift) & 0xffff]!++] = k;
    }
  }
  for (let i = 0; i < n; i++) {
    const u = keys[i]!;
    keys[i] = u & 0x80000000 ? (u & 0x7fffffff) >>> 0 : ~u >>> 0;
  }
  return values;
}

/** A cut strictly above `max` in float32 (as XGBoost: max + |max| + ε). */
function upperCut(max: number): number {
  let c = Math.fround(max + Math.abs(max) + 1e-5);
  if (!(c > max)) c = Math.fround(max * 2 + 1);
  return c;
}

/** Histogram slot of every value, row-major (`slots[r * cols + f]`): feature `f`'s bins occupy slots
 * `off[f] .. off[f+1]-1` (`off` from `slotOffsets`), the last one collecting missing values, so histogram
 * building needs neither a per-feature offset nor a branch for missing. Row-major because deep tree nodes
 * hold scattered rows: one cache line then serves all the features of a row. */
export function binMatrix(m: Matrix, cuts: Cuts): Uint16Array {
  const F = m.cols;
  const off = slotOffsets(cuts);
  if (off[F]! > 65535) throw new Error(`too many histogram bins in total (${off[F]}); lower max_bin`);
  const slots = new Uint16Array(m.rows * F);
  for (let f = 0; f < F; f++) {
    const lo = cuts.ptr[f]!;
    const nb = cuts.ptr[f + 1]! - lo;
    const c = cuts.values.subarray(lo, lo + nb);
    const base = f * m.rows;
    const o = off[f]!;
    for (let r = 0; r < m.rows; r++) {
      const v = m.values[base + r]!;
      slots[r * F + f] = o + (Number.isNaN(v) ? nb : upperBound(c, v));
    }
  }
  return slots;
}

/** Slot offsets of each feature in a node histogram: `nbins(f) + 1` slots per feature (the +1: missing). */
export function slotOffsets(cuts: Cuts): Int32Array {
  const F = cuts.ptr.length - 1;
  const off = new Int32Array(F + 1);
  for (let f = 0; f < F; f++) off[f + 1] = off[f]! + (cuts.ptr[f + 1]! - cuts.ptr[f]!) + 1;
  return off;
}

/** First index whose cut is > v (values above the last cut land in the last bin). */
function upperBound(c: Float32Array, v: number): number {
  let lo = 0;
  let hi = c.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c[mid]! > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
