/* The trainer's hot loops: histogram building, the subtraction trick and split enumeration over a range of
 * features. Every function here is self-contained (no imports, no closures) because the worker thread runs
 * their source text (`Function.prototype.toString`), so main thread and worker share one implementation. */

/** Per-node fields in the level descriptor (Float64Array, NODE_FIELDS per node). */
export const NODE_FIELDS = 8;
/** Per-node result fields: lossChg, feature, bin, defaultLeft, GL, HL. */
export const OUT_FIELDS = 6;

/**
 * Processes one tree level for features `[f0, f1)`: builds the histograms of the nodes marked "build"
 * (mode 0) from their rows, derives those marked "subtract" (mode 1) as parent − sibling, then finds each
 * node's best split among the features allowed by `featMask`, writing it to `out` (one OUT_FIELDS record per
 * node per worker slot `outSlot`).
 *
 * Rows come as CSR per feature block `blk` (`rp`, `sp`: the slots outside each feature's most frequent slot
 * `dflt[f]`); that slot is derived as node total (G, H) − the feature's other slots.
 * Histogram layout: node slot `s` occupies `hist[s * 2T .. (s + 1) * 2T)` with `T = off[F]`; feature `f`
 * owns bins `off[f] .. off[f+1]-1`, the last of which collects missing values. Pairs are (grad, hess).
 * Level descriptor per node: start, end, slot, mode, parentSlot, siblingSlot, G, H.
 */
export function processLevel(
  rp: Uint32Array,
  sp: Uint16Array,
  dflt: Int32Array,
  nRows: number,
  blk: number,
  idx: Uint32Array,
  gh: Float32Array,
  hist: Float64Array,
  off: Int32Array,
  nNodes: number,
  desc: Float64Array,
  featMask: Uint8Array,
  f0: number,
  f1: number,
  lambda: number,
  alpha: number,
  minChildWeight: number,
  out: Float64Array,
  outSlot: number,
): void {
  const T2 = off[off.length - 1]! * 2;
  const lo = off[f0]! * 2;
  const hi = off[f1]! * 2;
  // 1. build
  for (let j = 0; j < nNodes; j++) {
    const d = j * 8;
    if (desc[d + 3]! !== 0) continue;
    // `| 0`: keep every index an int32 in optimised code (descriptor fields are float64)
    const start = desc[d]! | 0;
    const end = desc[d + 1]! | 0;
    const hb = (desc[d + 2]! * T2) | 0;
    hist.fill(0, hb + lo, hb + hi);
    // only the slots that differ from their feature's most frequent one are stored (CSR per feature block)
    const rb = (blk * (nRows + 1)) | 0;
    for (let i = start; i < end; i++) {
      const row = idx[i]!;
      const g = gh[2 * row]!;
      const h = gh[2 * row + 1]!;
      const r = (rb + row) | 0;
      const k1 = rp[r + 1]!;
      for (let k = rp[r]!; k < k1; k++) {
        const b = (hb + sp[k]! * 2) | 0;
        hist[b]! += g;
        hist[b + 1]! += h;
      }
    }
    // each feature's most frequent slot = node total − the feature's other slots
    const G = desc[d + 6]!;
    const H = desc[d + 7]!;
    for (let f = f0; f < f1; f++) {
      const ds = dflt[f]!;
      if (ds < 0) continue;
      let sg = 0;
      let sh = 0;
      const e = (hb + off[f + 1]! * 2) | 0;
      for (let k = (hb + off[f]! * 2) | 0; k < e; k += 2) {
        sg += hist[k]!;
        sh += hist[k + 1]!;
      }
      hist[hb + ds * 2] = G - sg;
      hist[hb + ds * 2 + 1] = H - sh;
    }
  }
  // 2. subtract
  for (let j = 0; j < nNodes; j++) {
    const d = j * 8;
    if (desc[d + 3]! !== 1) continue;
    const hb = (desc[d + 2]! * T2) | 0;
    const pb = (desc[d + 4]! * T2) | 0;
    const sb = (desc[d + 5]! * T2) | 0;
    for (let k = lo; k < hi; k++) hist[hb + k] = hist[pb + k]! - hist[sb + k]!;
  }
  // 3. evaluate splits
  for (let j = 0; j < nNodes; j++) {
    const d = j * 8;
    const hb = (desc[d + 2]! * T2) | 0;
    const G = desc[d + 6]!;
    const H = desc[d + 7]!;
    const tG = G > alpha ? G - alpha : G < -alpha ? G + alpha : 0;
    const parentGain = H < minChildWeight || H <= 0 ? 0 : (tG * tG) / (H + lambda);
    let best = 0;
    let bestF = -1;
    let bestBin = -1;
    let bestDl = 0;
    let bestGL = 0;
    let bestHL = 0;
    for (let f = f0; f < f1; f++) {
      if (featMask[f]! === 0) continue;
      const b0 = hb + off[f]! * 2;
      const nb = off[f + 1]! - off[f]! - 1; // real bins; slot nb is missing
      // forward: missing goes right
      let gl = 0;
      let hl = 0;
      for (let b = 0; b < nb; b++) {
        gl += hist[b0 + 2 * b]!;
        hl += hist[b0 + 2 * b + 1]!;
        if (hl < minChildWeight) continue;
        const gr = G - gl;
        const hr = H - hl;
        if (hr < minChildWeight) break;
        const tl = gl > alpha ? gl - alpha : gl < -alpha ? gl + alpha : 0;
        const tr = gr > alpha ? gr - alpha : gr < -alpha ? gr + alpha : 0;
        const chg = (tl * tl) / (hl + lambda) + (tr * tr) / (hr + lambda) - parentGain;
        if (chg > best) {
          best = chg;
          bestF = f;
          bestBin = b;
          bestDl = 0;
          bestGL = gl;
          bestHL = hl;
        }
      }
      // backward: missing goes left; only when the node has missing values for f
      const mh = hist[b0 + 2 * nb + 1]!;
      if (mh > 0) {
        let gr = 0;
        let hr = 0;
        for (let b = nb - 1; b >= 1; b--) {
          gr += hist[b0 + 2 * b]!;
          hr += hist[b0 + 2 * b + 1]!;
          if (hr < minChildWeight) continue;
          const glb = G - gr;
          const hlb = H - hr;
          if (hlb < minChildWeight) break;
          const tl = glb > alpha ? glb - alpha : glb < -alpha ? glb + alpha : 0;
          const tr = gr > alpha ? gr - alpha : gr < -alpha ? gr + alpha : 0;
          const chg = (tl * tl) / (hlb + lambda) + (tr * tr) / (hr + lambda) - parentGain;
          if (chg > best) {
            best = chg;
            bestF = f;
            bestBin = b - 1;
            bestDl = 1;
            bestGL = glb;
            bestHL = hlb;
          }
        }
      }
    }
    const o = (outSlot * nNodes + j) * 6;
    out[o] = best;
    out[o + 1] = bestF;
    out[o + 2] = bestBin;
    out[o + 3] = bestDl;
    out[o + 4] = bestGL;
    out[o + 5] = bestHL;
  }
}

/** Per-node fields of a partition descriptor: start, end, feature, splitSlot, missingSlot, defaultLeft. */
export const PART_FIELDS = 6;

/**
 * Stable partition of the rows of nodes `[from, to)` of the descriptor `pd`: rows going left first, in
 * their order, then rows going right (only row ids move: gradient pairs stay in row order, which halves
 * the stores). Writes each node's left count to `nl`. `cols` is the column-major slot matrix; `tmpIdx` is
 * a scratch buffer indexed like `idx` (node ranges are disjoint, so threads share them safely).
 */
export function partitionNodes(
  cols: Uint16Array,
  nRows: number,
  idx: Uint32Array,
  tmpIdx: Uint32Array,
  pd: Float64Array,
  from: number,
  to: number,
  nl: Int32Array,
): void {
  for (let j = from; j < to; j++) {
    const d = j * 6;
    const start = pd[d]! | 0;
    const end = pd[d + 1]! | 0;
    const base = (pd[d + 2]! * nRows) | 0;
    const splitSlot = pd[d + 3]! | 0;
    const missingSlot = pd[d + 4]! | 0;
    const dl = pd[d + 5]! | 0;
    let l = start;
    let r = start;
    // branch-free: a row goes left or right at random as far as the branch predictor can tell, so both
    // destinations are written and only the cursors depend on the comparison
    for (let i = start; i < end; i++) {
      const row = idx[i]!;
      const s = cols[base + row]!;
      // missing is the feature's last slot, always above splitSlot
      const left =
        ((s <= splitSlot) as unknown as number) | (((s === missingSlot) as unknown as number) & dl);
      idx[l] = row;
      tmpIdx[r] = row;
      l += left;
      r += 1 - left;
    }
    for (let k = start; k < r; k++) idx[l + k - start] = tmpIdx[k]!;
    nl[j] = l - start;
  }
}

/**
 * The last level's shortcut: instead of partitioning the rows of nodes `[from, to)` of `pd` (as
 * `partitionNodes`), adds each row's leaf value straight to its training margin — `lv[2j]` for rows going
 * left, `lv[2j + 1]` for rows going right (float32 leaf values; `margin` is float32, as XGBoost's cache).
 */
export function leafMargins(
  cols: Uint16Array,
  nRows: number,
  idx: Uint32Array,
  pd: Float64Array,
  from: number,
  to: number,
  lv: Float64Array,
  margin: Float32Array,
): void {
  for (let j = from; j < to; j++) {
    const d = j * 6;
    const start = pd[d]! | 0;
    const end = pd[d + 1]! | 0;
    const base = (pd[d + 2]! * nRows) | 0;
    const splitSlot = pd[d + 3]! | 0;
    const missingSlot = pd[d + 4]! | 0;
    const dl = pd[d + 5]! | 0;
    const vl = lv[2 * j]!;
    const vr = lv[2 * j + 1]!;
    for (let i = start; i < end; i++) {
      const row = idx[i]!;
      const s = cols[base + row]!;
      const left = s <= splitSlot || (s === missingSlot && dl === 1);
      margin[row]! += left ? vl : vr;
    }
  }
}

/**
 * Gradient pairs of rows `[from, to)` (float32, as XGBoost's GradientPair), written in row order with
 * `idx[i] = i` (the no-subsampling case), and their sums into `sums[2 * slot]`, `sums[2 * slot + 1]`.
 * `logistic` = 1 for binary:logistic, 0 for squared error.
 */
export function gradientPairs(
  margin: Float32Array,
  labels: Float32Array,
  idx: Uint32Array,
  gh: Float32Array,
  from: number,
  to: number,
  logistic: number,
  sums: Float64Array,
  slot: number,
): void {
  let G = 0;
  let H = 0;
  for (let i = from; i < to; i++) {
    const m = margin[i]!;
    let g: number;
    let h: number;
    if (logistic === 1) {
      const p = Math.fround(1 / (1 + Math.exp(-m)));
      g = Math.fround(p - labels[i]!);
      h = Math.fround(Math.max(p * (1 - p), 1e-16));
    } else {
      g = Math.fround(m - labels[i]!);
      h = 1;
    }
    idx[i] = i;
    gh[2 * i] = g;
    gh[2 * i + 1] = h;
    G += g;
    H += h;
  }
  sums[2 * slot] = G;
  sums[2 * slot + 1] = H;
}
