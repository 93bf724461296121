/* The trainer's hot loops: gradient pairs, histogram building, the subtraction trick, split enumeration,
 * row partitioning. They run only in worker threads, which evaluate their source text
 * (`Function.prototype.toString`, see `parallel.ts`): every function is self-contained (no imports, no
 * closures; it may only call the other functions of this file) and is written here so it is type-checked.
 *
 * Work is shared between threads in two ways, each where it needs no merging:
 * - by ROW BLOCK for everything that walks rows (gradients, histogram building, partitioning, margins):
 *   rows belong to block `(row >> 6) & 1` — chunks of 64 rows, alternately, so both blocks see every part of
 *   the (hotel-sorted) data and no cache line of a per-row array is written by both threads. Each block
 *   keeps its rows in its own region of `idx`, so partitioning needs no merge, and builds its own partial
 *   histograms (block 0 into the level's histogram, block 1 into `part`);
 * - by FEATURE RANGE for everything that walks bins (adding the partial histograms, the subtraction trick,
 *   split enumeration), after a barrier.
 * There are always two blocks, whatever the thread count, so one thread and two compute the same sums in
 * the same order: the model does not depend on the thread count. */

/** Rows per chunk, as a shift: chunk `c` holds rows `[c << 6, (c + 1) << 6)` and belongs to block `c & 1`. */
export const CHUNK_SHIFT = 6;

/** Number of block-0 rows among rows `0 .. nRows-1` (block 1's region of `idx` starts there). */
export function block0Rows(nRows: number): number {
  const full = nRows >> 6;
  return ((full + 1) >> 1) * 64 + ((full & 1) === 0 ? nRows & 63 : 0);
}

/** Per-node fields in the level descriptor (Float64Array, NODE_FIELDS per node): slot (in `hist`), mode
 * (0 build, 1 subtract), parentSlot, siblingSlot, G, H, partSlot (in `part`), spare, then the node's row
 * range in `idx` per block: start0, end0, start1, end1. */
export const NODE_FIELDS = 12;
/** Per-node result fields: lossChg, feature, bin, defaultLeft, GL, HL. */
export const OUT_FIELDS = 6;
/** Per-node fields of a partition descriptor: feature, splitSlot, missingSlot, defaultLeft, the row range per
 * block (start0, end0, start1, end1), then which child's histogram to build from its rows once they are
 * partitioned (1 left, 0 right, -1 none) and that child's slots in `hist` (block 0) and `part` (block 1). */
export const PART_FIELDS = 12;

/** The exp tables `gradientPairs` reads: 2^k for k = -1022..1023 (index k + 1022), then 2^(j/1024) for
 * j = 0..1023 (index 2046 + j). */
export function expTables(): Float64Array {
  const t = new Float64Array(new SharedArrayBuffer(8 * (2046 + 1024)));
  for (let k = 0; k < 2046; k++) t[k] = 2 ** (k - 1022);
  for (let j = 0; j < 1024; j++) t[2046 + j] = 2 ** (j / 1024);
  return t;
}

/**
 * Gradient pairs of block `block`'s rows (float32, as XGBoost's GradientPair), written in row order, the
 * block's rows listed in `idx` from `start` on, and their sums into `sums[2 * block]`, `sums[2 * block + 1]`.
 * `logistic` = 1 for binary:logistic, 0 for squared error. The sigmoid's exp is computed here from `exp`
 * (`expTables`) and a degree-2 polynomial (relative error < 1e-11, far under float32's rounding of the
 * result): V8's Math.exp made up 85 % of this loop.
 */
export function gradientPairs(
  margin: Float32Array,
  labels: Float32Array,
  idx: Uint32Array,
  gh: Float32Array,
  nRows: number,
  block: number,
  start: number,
  logistic: number,
  sums: Float64Array,
  exp: Float64Array,
): void {
  let G = 0;
  let H = 0;
  let pos = start;
  for (let c = block << 6; c < nRows; c += 128) {
    const e = Math.min(c + 64, nRows);
    for (let i = c; i < e; i++) {
      const m = margin[i]!;
      let g: number;
      let h: number;
      if (logistic === 1) {
        // exp(-m): -m = (1024q + j)·ln2/1024 + r, |r| ≤ ln2/2048; beyond ±700 the float32 result is 0 or 1
        const x = Math.min(700, Math.max(-700, -m));
        const t = (x * 1477.3197218702985 + 2097152.5) | 0; // round(x·1024/ln2) + 2^21, always > 0
        const r = x - (t - 2097152) * 6.769015435155716e-4;
        const ex = exp[(t >> 10) - 1026]! * exp[2046 + (t & 1023)]! * (1 + r * (1 + 0.5 * r));
        const p = Math.fround(1 / (1 + ex));
        g = Math.fround(p - labels[i]!);
        h = Math.fround(Math.max(p * (1 - p), 1e-16));
      } else {
        g = Math.fround(m - labels[i]!);
        h = 1;
      }
      idx[pos++] = i;
      gh[2 * i] = g;
      gh[2 * i + 1] = h;
      G += g;
      H += h;
    }
  }
  sums[2 * block] = G;
  sums[2 * block + 1] = H;
}

/**
 * Builds block `block`'s partial histograms of the level's nodes marked "build" (mode 0) from the block's
 * rows: block 0 into the node's slot of `hist`, block 1 into its slot of `part`. Rows come as CSR (`rp`: row
 * pointers, `sp`: slots), holding only the slots that differ from their feature's most frequent one (that
 * slot is derived in `finishLevel`). Histogram layout: slot `s` occupies `[s * 2T, (s + 1) * 2T)`,
 * `T = off[F]`, pairs (grad, hess).
 */
export function buildBlock(
  rp: Uint32Array,
  sp: Uint16Array,
  idx: Uint32Array,
  gh: Float32Array,
  hist: Float64Array,
  part: Float64Array,
  T2: number,
  nNodes: number,
  desc: Float64Array,
  block: number,
): void {
  const h = block === 0 ? hist : part;
  for (let j = 0; j < nNodes; j++) {
    const d = j * 12;
    if (desc[d + 1]! !== 0) continue;
    // `| 0`: keep every index an int32 in optimised code (descriptor fields are float64)
    const hb = ((block === 0 ? desc[d]! : desc[d + 6]!) * T2) | 0;
    accumulate(rp, sp, idx, gh, h, hb, T2, desc[d + 8 + 2 * block]! | 0, desc[d + 9 + 2 * block]! | 0);
  }
}

/** Zeroes the histogram at `h[hb .. hb + T2)` and adds the gradient pairs of rows `idx[start .. end)` to
 * their slots (CSR `rp`/`sp`). */
export function accumulate(
  rp: Uint32Array,
  sp: Uint16Array,
  idx: Uint32Array,
  gh: Float32Array,
  h: Float64Array,
  hb: number,
  T2: number,
  start: number,
  end: number,
): void {
  h.fill(0, hb, hb + T2);
  for (let i = start; i < end; i++) {
    const row = idx[i]!;
    const g = gh[2 * row]!;
    const hh = gh[2 * row + 1]!;
    const k1 = rp[row + 1]!;
    let k = rp[row]!;
    // two entries per turn: a row's slots are distinct (one per feature), so the updates are independent
    for (; k + 1 < k1; k += 2) {
      const b0 = (hb + sp[k]! * 2) | 0;
      const b1 = (hb + sp[k + 1]! * 2) | 0;
      h[b0]! += g;
      h[b0 + 1]! += hh;
      h[b1]! += g;
      h[b1 + 1]! += hh;
    }
    if (k < k1) {
      const b = (hb + sp[k]! * 2) | 0;
      h[b]! += g;
      h[b + 1]! += hh;
    }
  }
}

/**
 * Completes the level's histograms for features `[f0, f1)` and finds each node's best split among them:
 * adds block 1's partial histograms to block 0's, derives each feature's most frequent slot `dflt[f]` as node
 * total (G, H) − the feature's other slots, derives the "subtract" nodes (mode 1) as parent − sibling, then
 * enumerates splits of the features allowed by `featMask` (XGBoost's gain, both default directions), writing
 * one OUT_FIELDS record per node for worker slot `outSlot` to `out`.
 */
export function finishLevel(
  hist: Float64Array,
  part: Float64Array,
  off: Int32Array,
  dflt: Int32Array,
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
  rootSums: Float64Array | null,
): void {
  const T2 = off[off.length - 1]! * 2;
  // `rootSums`: the level is the root, whose totals are the two blocks' gradient sums, known only now
  const rootG = rootSums !== null ? rootSums[0]! + rootSums[2]! : 0;
  const rootH = rootSums !== null ? rootSums[1]! + rootSums[3]! : 0;
  const lo = off[f0]! * 2;
  const hi = off[f1]! * 2;
  // 1. build nodes: block 0 + block 1, then each feature's most frequent slot
  for (let j = 0; j < nNodes; j++) {
    const d = j * 12;
    if (desc[d + 1]! !== 0) continue;
    const hb = (desc[d]! * T2) | 0;
    const pb = (desc[d + 6]! * T2) | 0;
    for (let k = lo; k < hi; k++) hist[hb + k]! += part[pb + k]!;
    const G = rootSums !== null ? rootG : desc[d + 4]!;
    const H = rootSums !== null ? rootH : desc[d + 5]!;
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
    const d = j * 12;
    if (desc[d + 1]! !== 1) continue;
    const hb = (desc[d]! * T2) | 0;
    const pb = (desc[d + 2]! * T2) | 0;
    const sb = (desc[d + 3]! * T2) | 0;
    for (let k = lo; k < hi; k++) hist[hb + k] = hist[pb + k]! - hist[sb + k]!;
  }
  // 3. evaluate splits
  for (let j = 0; j < nNodes; j++) {
    const d = j * 12;
    const hb = (desc[d]! * T2) | 0;
    const G = rootSums !== null ? rootG : desc[d + 4]!;
    const H = rootSums !== null ? rootH : desc[d + 5]!;
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

/**
 * Waits until `parties` threads have called it as often as this one (`bar`: Int32Array, [0] = arrivals in
 * all, [1 + id] = calls of thread `id` so far). The arrival count only grows, so there is no reset to race
 * with. Spins briefly (the other thread is usually a few µs away), then sleeps in Atomics.wait; gives up
 * after `timeoutMs` so a failed peer cannot hang the trainer.
 */
export function barrier(bar: Int32Array, parties: number, id: number, timeoutMs: number): void {
  const round = Atomics.add(bar, 1 + id, 1) + 1;
  const target = round * parties;
  if (Atomics.add(bar, 0, 1) + 1 === target) {
    Atomics.notify(bar, 0);
    return;
  }
  for (let spin = 0; spin < 20000; spin++) if (Atomics.load(bar, 0) >= target) return;
  const until = Date.now() + timeoutMs;
  for (let v = Atomics.load(bar, 0); v < target; v = Atomics.load(bar, 0)) {
    if (Date.now() > until) throw new Error("barrier timed out: the other training thread failed");
    Atomics.wait(bar, 0, v, 100);
  }
}

/**
 * Stable partition of block `block`'s rows of nodes `[0, nNodes)` of the descriptor `pd`: rows going left
 * first, in their order, then rows going right (only row ids move: gradient pairs stay in row order). Writes
 * each node's left count to `nl[block * nlStride + j]`, then builds the block's partial histogram of the
 * child `pd` names from that child's rows, still in cache (block 0 into `hist`, block 1 into `part`).
 * `cols` is the column-major slot matrix; `tmpIdx` a scratch buffer indexed like `idx` (blocks own
 * disjoint regions of both).
 */
export function partitionBlock(
  cols: Uint16Array,
  nRows: number,
  idx: Uint32Array,
  tmpIdx: Uint32Array,
  pd: Float64Array,
  nNodes: number,
  block: number,
  nl: Int32Array,
  nlStride: number,
  rp: Uint32Array,
  sp: Uint16Array,
  gh: Float32Array,
  hist: Float64Array,
  part: Float64Array,
  T2: number,
): void {
  for (let j = 0; j < nNodes; j++) {
    const d = j * 12;
    const base = (pd[d]! * nRows) | 0;
    const splitSlot = pd[d + 1]! | 0;
    const missingSlot = pd[d + 2]! | 0;
    const dl = pd[d + 3]! | 0;
    const start = pd[d + 4 + 2 * block]! | 0;
    const end = pd[d + 5 + 2 * block]! | 0;
    let l = start;
    let r = start;
    // a plain branch: most splits send most rows one way, which the predictor learns (measured 8 % faster
    // overall than a branch-free loop writing both destinations)
    for (let i = start; i < end; i++) {
      const row = idx[i]!;
      const s = cols[base + row]!;
      if (s <= splitSlot || (s === missingSlot && dl === 1)) idx[l++] = row;
      else tmpIdx[r++] = row;
    }
    idx.set(tmpIdx.subarray(start, r), l);
    nl[block * nlStride + j] = l - start;
    const buildLeft = pd[d + 8]!;
    if (buildLeft >= 0) {
      const hb = ((block === 0 ? pd[d + 9]! : pd[d + 10]!) * T2) | 0;
      const h = block === 0 ? hist : part;
      if (buildLeft === 1) accumulate(rp, sp, idx, gh, h, hb, T2, start, l);
      else accumulate(rp, sp, idx, gh, h, hb, T2, l, end);
    }
  }
}

/**
 * The last level's shortcut: instead of partitioning block `block`'s rows of nodes `[0, nNodes)` of `pd`
 * (as `partitionBlock`), adds each row's leaf value straight to its training margin — `lv[2j]` for rows
 * going left, `lv[2j + 1]` for rows going right (float32 leaf values; `margin` is float32, as XGBoost's).
 */
export function leafMargins(
  cols: Uint16Array,
  nRows: number,
  idx: Uint32Array,
  pd: Float64Array,
  nNodes: number,
  block: number,
  lv: Float64Array,
  margin: Float32Array,
): void {
  for (let j = 0; j < nNodes; j++) {
    const d = j * 12;
    const base = (pd[d]! * nRows) | 0;
    const splitSlot = pd[d + 1]! | 0;
    const missingSlot = pd[d + 2]! | 0;
    const dl = pd[d + 3]! | 0;
    const start = pd[d + 4 + 2 * block]! | 0;
    const end = pd[d + 5 + 2 * block]! | 0;
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
