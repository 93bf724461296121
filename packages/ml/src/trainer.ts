import { cpus } from "node:os";
import { binMatrix, computeCuts, slotOffsets } from "./binning.ts";
import type { Booster, Tree } from "./booster.ts";
import type { Dataset } from "./dataset.ts";
import { block0Rows, CHUNK_SHIFT, expTables, NODE_FIELDS, OUT_FIELDS, PART_FIELDS } from "./kernel.ts";
import { evalMetric, metricHigherIsBetter } from "./metrics.ts";
import { featureRanges, type LevelBuffers, LevelExecutor, sharedF64 } from "./parallel.ts";
import { resolveParams, type TrainParams } from "./params.ts";
import { baseMargin } from "./predict.ts";

/** XGBoost's kRtEps: a split must reduce the loss by more than this. */
const RT_EPS = 1e-6;

export interface RoundInfo {
  readonly round: number;
  readonly numRound: number;
  /** Metric on the validation set (when given). */
  readonly validation?: number;
  readonly metric: string;
  readonly bestRound: number;
  readonly seconds: number;
}

export interface TrainOptions {
  readonly params?: Partial<Record<string, unknown>>;
  readonly featureNames?: readonly string[];
  /** XGBoost feature types (`q` = quantitative, `c`… not used); default all `float`. */
  readonly featureTypes?: readonly string[];
  /** Validation set for early stopping and per-round reporting. */
  readonly validation?: Dataset;
  /** Called after each boosting round. */
  readonly onRound?: (info: RoundInfo) => void;
}

export interface TrainResult {
  readonly booster: Booster;
  readonly params: TrainParams;
  /** 0-based round with the best validation metric (the last round without validation). */
  readonly bestIteration: number;
  /** Validation metric per round. */
  readonly history: readonly number[];
  readonly seconds: number;
}

/** Deterministic PRNG (mulberry32) for row and column sampling. */
function rng(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tree as it grows: plain arrays, compacted to a `Tree` at the end. Split nodes also keep their bin. */
class GrowingTree {
  left: number[] = [-1];
  right: number[] = [-1];
  parent: number[] = [2147483647];
  feature: number[] = [0];
  bin: number[] = [0];
  cond: number[] = [0];
  defaultLeft: number[] = [0];
  weight: number[] = [0];
  lossChg: number[] = [0];
  sumHess: number[] = [0];

  addChild(parent: number): number {
    const id = this.left.length;
    this.left.push(-1);
    this.right.push(-1);
    this.parent.push(parent);
    this.feature.push(0);
    this.bin.push(0);
    this.cond.push(0);
    this.defaultLeft.push(0);
    this.weight.push(0);
    this.lossChg.push(0);
    this.sumHess.push(0);
    return id;
  }

  /** XGBoost's pruner: bottom-up, a split whose children are both leaves and whose loss reduction is below
   * gamma becomes a leaf again. Returns the surviving nodes renumbered in breadth-first order. */
  finish(gamma: number, eta: number): Tree {
    const isLeaf = (n: number) => this.left[n] === -1;
    if (gamma > 0) {
      let changed = true;
      while (changed) {
        changed = false;
        for (let n = 0; n < this.left.length; n++) {
          const l = this.left[n]!;
          if (l === -1 || l === -2) continue;
          const r = this.right[n]!;
          if (isLeaf(l) && isLeaf(r) && this.lossChg[n]! < gamma) {
            this.left[l] = -2; // deleted
            this.left[r] = -2;
            this.left[n] = -1;
            this.right[n] = -1;
            this.cond[n] = Math.fround(this.weight[n]! * eta);
            this.lossChg[n] = 0;
            changed = true;
          }
        }
      }
    }
    const order: number[] = [0];
    for (let i = 0; i < order.length; i++) {
      const n = order[i]!;
      if (!isLeaf(n)) order.push(this.left[n]!, this.right[n]!);
    }
    const newId = new Map<number, number>();
    for (let i = 0; i < order.length; i++) newId.set(order[i]!, i);
    const k = order.length;
    const t: Tree = {
      left: new Int32Array(k),
      right: new Int32Array(k),
      parent: new Int32Array(k),
      feature: new Int32Array(k),
      cond: new Float32Array(k),
      defaultLeft: new Uint8Array(k),
      baseWeight: new Float32Array(k),
      lossChg: new Float32Array(k),
      sumHess: new Float32Array(k),
    };
    order.forEach((n, i) => {
      const leaf = isLeaf(n);
      t.left[i] = leaf ? -1 : newId.get(this.left[n]!)!;
      t.right[i] = leaf ? -1 : newId.get(this.right[n]!)!;
      t.parent[i] = n === 0 ? 2147483647 : newId.get(this.parent[n]!)!;
      t.feature[i] = leaf ? 0 : this.feature[n]!;
      t.cond[i] = this.cond[n]!;
      t.defaultLeft[i] = leaf ? 0 : this.defaultLeft[n]!;
      t.baseWeight[i] = this.weight[n]!; // unscaled, as XGBoost stores base_weights
      t.lossChg[i] = leaf ? 0 : this.lossChg[n]!;
      t.sumHess[i] = this.sumHess[n]!;
    });
    return t;
  }
}

/**
 * The histogram builder's input: each feature's most frequent non-missing slot (`dflt`) is left out, since a
 * node's count there is its total minus the feature's other slots (on the bookings data this skips ~58 % of
 * the row × feature updates). Missing values always stay explicit, so "the node has missing values" is exact.
 * CSR: row pointers `rp` (`n + 1`) into slots `sp`.
 */
function sparseSlots(
  slots: Uint16Array,
  n: number,
  F: number,
  off: Int32Array,
): { rp: Uint32Array; sp: Uint16Array; dflt: Int32Array } {
  const dflt = new Int32Array(new SharedArrayBuffer(4 * F));
  const count = new Int32Array(off[F]!);
  for (let i = 0; i < n * F; i++) count[slots[i]!]!++;
  let nnz = 0;
  for (let f = 0; f < F; f++) {
    let best = off[f]!;
    for (let s = off[f]! + 1; s < off[f + 1]! - 1; s++) if (count[s]! > count[best]!) best = s;
    // a feature with only missing values has no real slot
    dflt[f] = best < off[f + 1]! - 1 ? best : -1;
    nnz += n - (dflt[f]! >= 0 ? count[best]! : 0);
  }
  const rp = new Uint32Array(new SharedArrayBuffer(4 * (n + 1)));
  const sp = new Uint16Array(new SharedArrayBuffer(2 * Math.max(1, nnz)));
  let k = 0;
  for (let r = 0; r < n; r++) {
    rp[r] = k;
    for (let f = 0; f < F; f++) {
      const s = slots[r * F + f]!;
      if (s !== dflt[f]) sp[k++] = s;
    }
  }
  rp[n] = k;
  return { rp, sp, dflt };
}

/** Binned-traversal of a growing tree for one row (bins instead of float comparisons: same result). */
function leafOfBinned(t: GrowingTree, slots: Uint16Array, F: number, r: number, off: Int32Array): number {
  let n = 0;
  while (t.left[n]! >= 0) {
    const f = t.feature[n]!;
    const s = slots[r * F + f]!;
    const missing = s === off[f + 1]! - 1;
    n = missing
      ? t.defaultLeft[n]
        ? t.left[n]!
        : t.right[n]!
      : s <= off[f]! + t.bin[n]!
        ? t.left[n]!
        : t.right[n]!;
  }
  return n;
}

/**
 * Trains gradient-boosted trees with XGBoost's `hist` method: quantile bins per feature, depth-wise growth,
 * per-level histograms (the smaller child built, the larger one = parent − smaller), XGBoost's gain, weight
 * and default-direction rules for missing values. The result is an XGBoost 1.7-compatible `Booster`.
 */
export async function train(data: Dataset, options: TrainOptions = {}): Promise<TrainResult> {
  const t0 = performance.now();
  const p = resolveParams(options.params);
  const n = data.rows;
  const F = data.cols;
  if (n === 0) throw new Error("cannot train on an empty data set");
  if (data.labels.length !== n) throw new Error(`${data.labels.length} labels for ${n} rows`);
  const logistic = p.objective === "binary:logistic";
  for (let i = 0; i < n; i++) {
    const y = data.labels[i]!;
    if (Number.isNaN(y) || (logistic && y !== 0 && y !== 1))
      throw new Error(`label of row ${i} is ${y}: binary:logistic needs 0 or 1`);
  }
  const names = options.featureNames ?? Array.from({ length: F }, (_, i) => `f${i}`);
  if (names.length !== F) throw new Error(`${names.length} feature names for ${F} columns`);

  // two row blocks whatever the thread count (see kernel.ts), so at most two threads; the worker boots
  // while the data is binned
  const threads = Math.max(1, Math.min(p.nthread, cpus().length, 2));
  const exec = new LevelExecutor(threads);
  try {
    return trainWith(exec, threads, data, names, options, p, t0);
  } finally {
    await exec.close();
  }
}

/** The boosting loop of `train`, on a booted executor. */
function trainWith(
  exec: LevelExecutor,
  threads: number,
  data: Dataset,
  names: readonly string[],
  options: TrainOptions,
  p: TrainParams,
  t0: number,
): TrainResult {
  const n = data.rows;
  const F = data.cols;
  const logistic = p.objective === "binary:logistic";
  // --- binning ---
  const cuts = computeCuts(data, p.max_bin);
  const bins = binMatrix(data, cuts);
  // a column-major copy for partitioning: a node's rows are ascending, so one feature's slots stream
  // through the cache instead of touching one row-major cache line per row
  const binsCol = new Uint16Array(new SharedArrayBuffer(2 * n * F));
  for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) binsCol[f * n + r] = bins[r * F + f]!;
  const off = new Int32Array(new SharedArrayBuffer((F + 1) * 4));
  off.set(slotOffsets(cuts));
  const T2 = off[F]! * 2;
  const sparse = sparseSlots(bins, n, F, off);
  const valid = options.validation;
  const vBins = valid ? binMatrix(valid, cuts) : undefined;

  // --- shared work buffers ---
  const idx = new Uint32Array(new SharedArrayBuffer(n * 4));
  // gradient pairs by row id, float32 as XGBoost's GradientPair
  const gh = new Float32Array(new SharedArrayBuffer(8 * n));
  const featMask = new Uint8Array(new SharedArrayBuffer(F));
  const maxSlotsPerLevel = Math.min(2 ** Math.max(0, p.max_depth - 1), 64);
  const margin0 = baseMargin({ objective: p.objective, baseScore: p.base_score });
  const margin = new Float32Array(new SharedArrayBuffer(4 * n)).fill(margin0);
  const labelsShared = new Float32Array(new SharedArrayBuffer(4 * n));
  labelsShared.set(data.labels);
  const buf: LevelBuffers = {
    rp: sparse.rp,
    sp: sparse.sp,
    dflt: sparse.dflt,
    nRows: n,
    idx,
    gh,
    hist: sharedF64(2 * maxSlotsPerLevel * T2),
    part: sharedF64(maxSlotsPerLevel * T2),
    off,
    desc: sharedF64(maxSlotsPerLevel * NODE_FIELDS),
    cols: binsCol,
    tmpIdx: new Uint32Array(new SharedArrayBuffer(4 * n)),
    pd: sharedF64(maxSlotsPerLevel * PART_FIELDS),
    nl: new Int32Array(new SharedArrayBuffer(8 * maxSlotsPerLevel)),
    nlStride: maxSlotsPerLevel,
    lv: sharedF64(2 * maxSlotsPerLevel),
    margin,
    labels: labelsShared,
    sums: sharedF64(4),
    exp: expTables(),
    featMask,
    out: sharedF64(maxSlotsPerLevel * OUT_FIELDS * 2),
    bar: new Int32Array(new SharedArrayBuffer(12)),
  };
  let slotCap = maxSlotsPerLevel; // slots per parity half of `hist`
  // the per-bin work (adding block histograms, subtraction, split search) is shared by histogram slots
  const binsPerFeature = Array.from({ length: F }, (_, f) => off[f + 1]! - off[f]!);
  exec.bind(buf, featureRanges(threads, F, binsPerFeature));
  const reg = { lambda: p.lambda, alpha: p.alpha, minChildWeight: p.min_child_weight };

  const vMargin = valid ? new Float32Array(valid.rows).fill(margin0) : undefined;
  const sampled = new Uint8Array(n);
  const random = rng(p.seed);
  const trees: Tree[] = [];
  const history: number[] = [];
  const higher = metricHigherIsBetter(p.eval_metric);
  let best = higher ? -Infinity : Infinity;
  let bestIteration = 0;
  // a node of the level being searched: its rows are idx[s0, e0) (block 0) and idx[s1, e1) (block 1), its
  // histogram in `hist` slot `half + slot`
  interface LNode {
    id: number;
    s0: number;
    e0: number;
    s1: number;
    e1: number;
    slot: number;
    G: number;
    H: number;
  }
  const rowsOf = (x: LNode) => x.e0 - x.s0 + x.e1 - x.s1;
  const sampleColumns = () => {
    if (p.colsample_bytree >= 1) featMask.fill(1);
    else {
      featMask.fill(0);
      const k = Math.max(1, Math.floor(p.colsample_bytree * F));
      const perm = Array.from({ length: F }, (_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(random() * (F - i));
        [perm[i], perm[j]] = [perm[j]!, perm[i]!];
        featMask[perm[i]!] = 1;
      }
    }
  };
  const setRoot = (m0: number, m: number) => {
    const d = buf.desc;
    d.fill(0, 0, NODE_FIELDS);
    d[9] = m0;
    d[10] = m0;
    d[11] = m;
  };
  for (let round = 0; round < p.num_round; round++) {
    // gradient pairs (float32, as XGBoost's GradientPair) of the rows this tree sees, `idx` listing block
    // 0's rows, then block 1's from `m0` on; then the root's histogram and best split
    let G: number;
    let H: number;
    let m0: number;
    let m = n;
    if (p.subsample >= 1) {
      sampled.fill(1);
      sampleColumns();
      setRoot(block0Rows(n), n);
      ({ G, H, rows0: m0 } = exec.treeStart(logistic, reg));
    } else {
      exec.gradients(logistic);
      G = 0;
      H = 0;
      let c0 = 0;
      for (let i = 0; i < n; i++) {
        const take = random() < p.subsample;
        sampled[i] = take ? 1 : 0;
        if (take && ((i >> CHUNK_SHIFT) & 1) === 0) c0++;
      }
      let p0 = 0;
      let p1 = c0;
      for (let i = 0; i < n; i++) {
        if (!sampled[i]) continue;
        if (((i >> CHUNK_SHIFT) & 1) === 0) idx[p0++] = i;
        else idx[p1++] = i;
        G += gh[2 * i]!;
        H += gh[2 * i + 1]!;
      }
      m0 = c0;
      m = p1;
      sampleColumns();
      setRoot(m0, m);
      buf.desc[4] = G;
      buf.desc[5] = H;
      exec.level(1, reg);
    }

    const tree = new GrowingTree();
    tree.sumHess[0] = H;
    tree.weight[0] = leafWeight(G, H, p);
    // `level`: the nodes whose best splits are in `out` (in this order)
    let level: LNode[] = [{ id: 0, s0: 0, e0: m0, s1: m0, e1: m, slot: 0, G, H }];
    const leaves: LNode[] = [];
    for (let depth = 0; ; depth++) {
      const out = buf.out;
      const nNodes = level.length;
      const expand: { x: LNode; f: number; b: number; dl: number; gl: number; hl: number; chg: number }[] =
        [];
      for (let j = 0; j < nNodes; j++) {
        const x = level[j]!;
        if (!(x.H >= 2 * p.min_child_weight && rowsOf(x) >= 2)) {
          leaves.push(x);
          continue;
        }
        let o = j * OUT_FIELDS;
        for (let s = 1; s < exec.slots; s++) {
          const q = (s * nNodes + j) * OUT_FIELDS;
          if (out[q]! > out[o]!) o = q;
        }
        if (out[o + 1]! < 0 || !(out[o]! > RT_EPS)) {
          leaves.push(x);
          continue;
        }
        expand.push({
          x,
          chg: out[o]!,
          f: out[o + 1]!,
          b: out[o + 2]!,
          dl: out[o + 3]!,
          gl: out[o + 4]!,
          hl: out[o + 5]!,
        });
      }
      if (expand.length === 0) break;
      // the children of the last level are leaves: no histograms, and their rows are not partitioned
      const last = depth + 1 >= p.max_depth;
      const half = (depth & 1) * slotCap;
      if (!last && 2 * expand.length > slotCap) {
        // grow the histogram pools (only for deep trees), keeping this level's half
        const newCap = Math.max(2 * expand.length, slotCap * 2);
        const hist = sharedF64(2 * newCap * T2);
        hist.set(buf.hist.subarray(half * T2, (half + slotCap) * T2), (depth & 1) * newCap * T2);
        buf.hist = hist;
        buf.part = sharedF64(newCap * T2);
        buf.desc = sharedF64(2 * newCap * NODE_FIELDS);
        slotCap = newCap;
        exec.version++;
      }
      const curHalf = (depth & 1) * slotCap;
      const nh = ((depth + 1) & 1) * slotCap;
      if (buf.nlStride < expand.length) {
        buf.pd = sharedF64(2 * expand.length * PART_FIELDS);
        buf.nl = new Int32Array(new SharedArrayBuffer(16 * expand.length));
        buf.nlStride = 2 * expand.length;
        buf.lv = sharedF64(4 * expand.length);
        exec.version++;
      }
      // per expanded node: how to partition its rows, and which child's histogram to build from its rows
      // (the one with the smaller hessian sum, a good guess for the one with fewer rows: the other is
      // parent − sibling); per child: its descriptor for the next level's split search
      const pd = buf.pd;
      const desc = buf.desc;
      expand.forEach((e, j) => {
        const d = j * PART_FIELDS;
        const buildLeft = e.hl <= e.x.H - e.hl;
        pd[d] = e.f;
        pd[d + 1] = off[e.f]! + e.b;
        pd[d + 2] = off[e.f + 1]! - 1;
        pd[d + 3] = e.dl;
        pd[d + 4] = e.x.s0;
        pd[d + 5] = e.x.e0;
        pd[d + 6] = e.x.s1;
        pd[d + 7] = e.x.e1;
        pd[d + 8] = last ? -1 : buildLeft ? 1 : 0;
        pd[d + 9] = nh + (buildLeft ? 2 * j : 2 * j + 1);
        pd[d + 10] = buildLeft ? 2 * j : 2 * j + 1;
        if (last) return;
        for (const side of [0, 1]) {
          const c = (2 * j + side) * NODE_FIELDS;
          const built = (side === 0) === buildLeft;
          const gl = side === 0 ? e.gl : e.x.G - e.gl;
          const hl = side === 0 ? e.hl : e.x.H - e.hl;
          desc[c] = nh + 2 * j + side;
          desc[c + 1] = built ? 0 : 1;
          desc[c + 2] = curHalf + e.x.slot;
          desc[c + 3] = nh + 2 * j + 1 - side;
          desc[c + 4] = gl;
          desc[c + 5] = hl;
          desc[c + 6] = 2 * j + side;
        }
      });
      if (last) {
        // the leaves' values go straight into their rows' training margins (with gamma > 0, pruning may
        // merge leaves: margins then come from walking the pruned tree below)
        if (!(p.gamma > 0)) {
          expand.forEach((e, j) => {
            buf.lv[2 * j] = Math.fround(leafWeight(e.gl, e.hl, p) * p.eta);
            buf.lv[2 * j + 1] = Math.fround(leafWeight(e.x.G - e.gl, e.x.H - e.hl, p) * p.eta);
          });
          exec.margins(expand.length);
        }
      } else exec.step(expand.length, 2 * expand.length, reg);
      const next: LNode[] = [];
      for (let j = 0; j < expand.length; j++) {
        const e = expand[j]!;
        const { x, f, b, dl } = e;
        // last level: rows were not partitioned; the leaves get empty row ranges (margins are done)
        const nl0 = last ? 0 : buf.nl[j]!;
        const nl1 = last ? 0 : buf.nl[buf.nlStride + j]!;
        const id = x.id;
        const l = tree.addChild(id);
        const r = tree.addChild(id);
        tree.left[id] = l;
        tree.right[id] = r;
        tree.feature[id] = f;
        tree.bin[id] = b;
        tree.cond[id] = cuts.values[cuts.ptr[f]! + b]!;
        tree.defaultLeft[id] = dl;
        tree.lossChg[id] = e.chg;
        const GL = e.gl;
        const HL = e.hl;
        const GR = x.G - GL;
        const HR = x.H - HL;
        tree.sumHess[l] = HL;
        tree.sumHess[r] = HR;
        tree.weight[l] = leafWeight(GL, HL, p);
        tree.weight[r] = leafWeight(GR, HR, p);
        const mid0 = x.s0 + nl0;
        const mid1 = x.s1 + nl1;
        next.push(
          { id: l, s0: x.s0, e0: mid0, s1: x.s1, e1: mid1, slot: 2 * j, G: GL, H: HL },
          {
            id: r,
            s0: mid0,
            e0: last ? x.s0 : x.e0,
            s1: mid1,
            e1: last ? x.s1 : x.e1,
            slot: 2 * j + 1,
            G: GR,
            H: HR,
          },
        );
      }
      if (last) {
        leaves.push(...next);
        break;
      }
      level = next;
    }
    // leaves: values, and the training margins of the rows they hold
    for (const x of leaves) tree.cond[x.id] = Math.fround(tree.weight[x.id]! * p.eta);
    const finished = tree.finish(p.gamma, p.eta);
    if (p.gamma > 0) {
      // pruning may have merged leaves: walk the pruned tree for every row
      for (let i = 0; i < n; i++) margin[i]! += finished.cond[leafOfFinal(finished, tree, bins, F, i, off)]!;
    } else {
      for (const x of leaves) {
        const v = tree.cond[x.id]!;
        for (let i = x.s0; i < x.e0; i++) margin[idx[i]!]! += v;
        for (let i = x.s1; i < x.e1; i++) margin[idx[i]!]! += v;
      }
      if (m < n)
        for (let i = 0; i < n; i++)
          if (!sampled[i]) margin[i]! += tree.cond[leafOfBinned(tree, bins, F, i, off)]!;
    }
    trees.push(finished);
    // validation
    let metric = Number.NaN;
    if (valid && vBins && vMargin) {
      for (let i = 0; i < valid.rows; i++)
        vMargin[i]! += finished.cond[leafOfFinal(finished, tree, vBins, F, i, off)]!;
      metric = evalMetric(p.eval_metric, valid.labels, vMargin, logistic);
      history.push(metric);
      if (higher ? metric > best : metric < best) {
        best = metric;
        bestIteration = round;
      }
    } else bestIteration = round;
    options.onRound?.({
      round: round + 1,
      numRound: p.num_round,
      validation: valid ? metric : undefined,
      metric: p.eval_metric,
      bestRound: bestIteration + 1,
      seconds: (performance.now() - t0) / 1000,
    });
    if (valid && p.early_stopping_rounds > 0 && round - bestIteration >= p.early_stopping_rounds) break;
  }
  const kept = valid && p.early_stopping_rounds > 0 ? trees.slice(0, bestIteration + 1) : trees;
  const booster: Booster = {
    objective: p.objective,
    baseScore: p.base_score,
    numFeature: F,
    featureNames: [...names],
    featureTypes: options.featureTypes ? [...options.featureTypes] : names.map(() => "float"),
    trees: kept,
    attributes: valid
      ? {
          best_iteration: String(Math.min(bestIteration, kept.length - 1)),
          best_ntree_limit: String(Math.min(bestIteration, kept.length - 1) + 1),
        }
      : {},
  };
  return { booster, params: p, bestIteration, history, seconds: (performance.now() - t0) / 1000 };
}

/** Leaf of the pruned, renumbered tree for a binned row: walks the growing tree's bins along the surviving
 * nodes (pruning only turns split nodes into leaves, so the walk stops at the first pruned node). */
function leafOfFinal(
  fin: Tree,
  t: GrowingTree,
  slots: Uint16Array,
  F: number,
  r: number,
  off: Int32Array,
): number {
  let n = 0;
  let k = 0;
  while (fin.left[k]! !== -1) {
    const f = t.feature[n]!;
    const s = slots[r * F + f]!;
    const missing = s === off[f + 1]! - 1;
    const goLeft = missing ? t.defaultLeft[n] === 1 : s <= off[f]! + t.bin[n]!;
    n = goLeft ? t.left[n]! : t.right[n]!;
    k = goLeft ? fin.left[k]! : fin.right[k]!;
  }
  return k;
}

function leafWeight(G: number, H: number, p: TrainParams): number {
  if (H < p.min_child_weight || H <= 0) return 0;
  const tG = G > p.alpha ? G - p.alpha : G < -p.alpha ? G + p.alpha : 0;
  return -tG / (H + p.lambda);
}
