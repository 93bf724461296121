import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import {
  gradientPairs,
  leafMargins,
  NODE_FIELDS,
  OUT_FIELDS,
  PART_FIELDS,
  partitionNodes,
  processLevel,
} from "./kernel.ts";

/** The shared buffers one level's histogram work reads and writes. */
export interface LevelBuffers {
  /** Per feature block (one per thread): CSR row pointers (`nRows + 1` per block, absolute into `sp`) and
   * the slots of the row's values outside their feature's most frequent slot `dflt[f]` (-1: none). */
  readonly rp: Uint32Array;
  readonly sp: Uint16Array;
  readonly dflt: Int32Array;
  readonly nRows: number;
  readonly idx: Uint32Array;
  readonly gh: Float32Array;
  /** Column-major slots (partitioning). */
  readonly cols: Uint16Array;
  readonly tmpIdx: Uint32Array;
  /** Partition descriptor (PART_FIELDS per node) and per-node left counts. */
  pd: Float64Array;
  nl: Int32Array;
  /** Last level: leaf values per node (left, right) added straight to `margin` (see `leafMargins`). */
  lv: Float64Array;
  /** Training margins and labels (shared, for gradient pairs) and the two half sums (G0, H0, G1, H1). */
  readonly margin: Float32Array;
  readonly labels: Float32Array;
  readonly sums: Float64Array;
  hist: Float64Array;
  readonly off: Int32Array;
  desc: Float64Array;
  readonly featMask: Uint8Array;
  out: Float64Array;
}

export interface LevelRegularisation {
  readonly lambda: number;
  readonly alpha: number;
  readonly minChildWeight: number;
}

/** Runs `processLevel` over all features, split into contiguous feature ranges, one per thread: the
 * calling thread takes the first range, worker threads the others (all buffers are SharedArrayBuffers, so
 * nothing is copied). Results land in `out`, one OUT_FIELDS record per node per range. */
export class LevelExecutor {
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  /** Per worker, 4 int32: task sequence number, last finished task, error flag, spare. Hand-offs go through
   * Atomics.wait/notify (a few µs) rather than event-loop messages (~0.1 ms each, ~5,000 per training). */
  private readonly ctrl: Int32Array[] = [];
  private readonly ranges: (readonly [number, number])[];
  private sentVersion = -1;
  /** Bumped whenever a buffer is replaced, so the workers get the new one. */
  version = 0;

  constructor(
    private readonly buf: LevelBuffers,
    ranges: readonly (readonly [number, number])[],
  ) {
    this.ranges = [...ranges];
    for (let i = 1; i < this.ranges.length; i++) {
      const ctrl = new Int32Array(new SharedArrayBuffer(16));
      const { port1, port2 } = new MessageChannel();
      this.workers.push(
        new Worker(WORKER_SOURCE, { eval: true, workerData: { ctrl, port: port2 }, transferList: [port2] }),
      );
      this.ports.push(port1);
      this.ctrl.push(ctrl);
    }
  }

  get slots(): number {
    return this.ranges.length;
  }

  /** Hands a task to every worker and runs the calling thread's share; returns when all are done. The
   * task travels through the worker's port (read synchronously there), the wake-up through `ctrl`. */
  private async dispatch(task: (slot: number) => Record<string, unknown>, own: () => void): Promise<void> {
    const b = this.buf;
    const buffers = this.sentVersion === this.version ? undefined : { ...b };
    this.workers.forEach((_, i) => {
      this.ports[i]!.postMessage({ buffers, ...task(i + 1) });
      const c = this.ctrl[i]!;
      Atomics.add(c, 0, 1);
      Atomics.notify(c, 0);
    });
    this.sentVersion = this.version;
    let ownError: unknown;
    try {
      own();
    } catch (e) {
      ownError = e;
    }
    for (let i = 0; i < this.workers.length; i++) {
      const c = this.ctrl[i]!;
      const seq = Atomics.load(c, 0);
      for (let d = Atomics.load(c, 1); d !== seq; d = Atomics.load(c, 1)) Atomics.wait(c, 1, d);
      if (Atomics.load(c, 2) !== 0) {
        Atomics.store(c, 2, 0);
        const m = receiveMessageOnPort(this.ports[i]!)?.message as { error?: string } | undefined;
        throw new Error(m?.error ?? "worker failed");
      }
    }
    if (ownError !== undefined) throw ownError;
  }

  /** Histograms and best splits of one level (`desc` filled for `nNodes` nodes). */
  async run(nNodes: number, reg: LevelRegularisation): Promise<void> {
    const b = this.buf;
    const need = nNodes * OUT_FIELDS * this.ranges.length;
    if (b.out.length < need) {
      b.out = sharedF64(need * 2);
      this.version++;
    }
    await this.dispatch(
      (slot) => ({
        kind: "level",
        nNodes,
        f0: this.ranges[slot]![0],
        f1: this.ranges[slot]![1],
        reg,
        outSlot: slot,
      }),
      () => {
        const [f0, f1] = this.ranges[0]!;
        processLevel(
          b.rp,
          b.sp,
          b.dflt,
          b.nRows,
          0,
          b.idx,
          b.gh,
          b.hist,
          b.off,
          nNodes,
          b.desc,
          b.featMask,
          f0,
          f1,
          reg.lambda,
          reg.alpha,
          reg.minChildWeight,
          b.out,
          0,
        );
      },
    );
  }

  /** Gradient pairs of all rows in two fixed halves (so the sums do not depend on the thread count);
   * returns the totals G, H. */
  async gradients(logistic: boolean): Promise<[number, number]> {
    const b = this.buf;
    const n = b.nRows;
    const half = n >> 1;
    const lg = logistic ? 1 : 0;
    if (this.workers.length === 0) {
      gradientPairs(b.margin, b.labels, b.idx, b.gh, 0, half, lg, b.sums, 0);
      gradientPairs(b.margin, b.labels, b.idx, b.gh, half, n, lg, b.sums, 1);
    } else {
      await this.dispatch(
        (slot) => (slot === 1 ? { kind: "grad", from: half, to: n, logistic: lg } : { kind: "none" }),
        () => gradientPairs(b.margin, b.labels, b.idx, b.gh, 0, half, lg, b.sums, 0),
      );
    }
    return [b.sums[0]! + b.sums[2]!, b.sums[1]! + b.sums[3]!];
  }

  /** Partitions the rows of `nNodes` nodes (`pd` filled); with `toMargins` (the last level), adds the leaf
   * values `lv` to the rows' margins instead. The rows are cut into one contiguous share per thread, a node
   * crossing a cut becoming two segments (so the root and other big nodes are shared too); each segment is
   * partitioned on its own, then a split node's left parts are gathered before its right parts, which gives
   * exactly the sequential stable partition. */
  async partition(nNodes: number, rows: readonly number[], toMargins = false): Promise<void> {
    const b = this.buf;
    const t = this.ranges.length;
    const kind = toMargins ? "margins" : "partition";
    const own = (from: number, to: number) =>
      toMargins
        ? leafMargins(b.cols, b.nRows, b.idx, b.pd, from, to, b.lv, b.margin)
        : partitionNodes(b.cols, b.nRows, b.idx, b.tmpIdx, b.pd, from, to, b.nl);
    if (t === 1) {
      own(0, nNodes);
      return;
    }
    const F = PART_FIELDS;
    const nodes = b.pd.slice(0, nNodes * F);
    const lvs = b.lv.slice(0, 2 * nNodes);
    const total = rows.reduce((s, x) => s + x, 0);
    // segments: node j, rows [s, e); `cut[k]` = first segment of thread k
    const segNode: number[] = [];
    const segStart: number[] = [];
    const segEnd: number[] = [];
    const cut: number[] = [0];
    let acc = 0;
    for (let j = 0; j < nNodes; j++) {
      const start = nodes[j * F]!;
      const end = nodes[j * F + 1]!;
      let s0 = start;
      // thread boundaries falling strictly inside this node split it
      while (cut.length < t) {
        const at = Math.round((total * cut.length) / t) - acc + start;
        if (at <= s0) {
          cut.push(segNode.length);
          continue;
        }
        if (at >= end) break;
        segNode.push(j);
        segStart.push(s0);
        segEnd.push(at);
        cut.push(segNode.length);
        s0 = at;
      }
      segNode.push(j);
      segStart.push(s0);
      segEnd.push(end);
      acc += end - start;
    }
    const nSeg = segNode.length;
    while (cut.length < t) cut.push(nSeg);
    cut.push(nSeg);
    if (b.pd.length < nSeg * F || b.nl.length < nSeg || b.lv.length < 2 * nSeg) {
      b.pd = sharedF64(2 * nSeg * F);
      b.nl = new Int32Array(new SharedArrayBuffer(8 * nSeg));
      b.lv = sharedF64(4 * nSeg);
      this.version++;
    }
    for (let k = 0; k < nSeg; k++) {
      const j = segNode[k]!;
      b.pd.set(nodes.subarray(j * F, (j + 1) * F), k * F);
      b.pd[k * F] = segStart[k]!;
      b.pd[k * F + 1] = segEnd[k]!;
      b.lv[2 * k] = lvs[2 * j]!;
      b.lv[2 * k + 1] = lvs[2 * j + 1]!;
    }
    await this.dispatch(
      (slot) => ({ kind, from: cut[slot], to: cut[slot + 1] }),
      () => own(cut[0]!, cut[1]!),
    );
    if (toMargins) return;
    // per node: left parts of its segments, then right parts (through `tmpIdx`, free over the node's range)
    const segNl = Array.from(b.nl.subarray(0, nSeg));
    for (let k = 0; k < nSeg; ) {
      const j = segNode[k]!;
      let k2 = k + 1;
      while (k2 < nSeg && segNode[k2] === j) k2++;
      let nl = 0;
      if (k2 - k === 1) nl = segNl[k]!;
      else {
        const start = segStart[k]!;
        const end = segEnd[k2 - 1]!;
        let pos = start;
        for (let q = k; q < k2; q++) {
          b.tmpIdx.set(b.idx.subarray(segStart[q]!, segStart[q]! + segNl[q]!), pos);
          pos += segNl[q]!;
        }
        nl = pos - start;
        for (let q = k; q < k2; q++) {
          b.tmpIdx.set(b.idx.subarray(segStart[q]! + segNl[q]!, segEnd[q]!), pos);
          pos += segEnd[q]! - segStart[q]! - segNl[q]!;
        }
        b.idx.set(b.tmpIdx.subarray(start, end), start);
      }
      b.nl[j] = nl;
      k = k2;
    }
  }

  async close(): Promise<void> {
    this.workers.forEach((_, i) => {
      this.ports[i]!.postMessage({ kind: "exit" });
      Atomics.add(this.ctrl[i]!, 0, 1);
      Atomics.notify(this.ctrl[i]!, 0);
    });
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const p of this.ports) p.close();
  }
}

/** Contiguous feature ranges, one per thread (at most one per feature), of about equal total `weight`
 * (default 1 per feature): the histogram work of a feature is its stored entries, so ranges follow those. */
export function featureRanges(
  threads: number,
  nFeatures: number,
  weight: ArrayLike<number> = new Float64Array(nFeatures).fill(1),
): (readonly [number, number])[] {
  const t = Math.max(1, Math.min(threads, nFeatures));
  let total = 0;
  for (let f = 0; f < nFeatures; f++) total += weight[f]!;
  const cut = [0];
  let acc = 0;
  for (let f = 0; f < nFeatures && cut.length < t; f++) {
    const next = acc + weight[f]!;
    const target = (total * cut.length) / t;
    // cut before or after f, whichever lands nearer the target, leaving a feature for every later range
    if (next >= target) {
      const before = f > cut[cut.length - 1]! && target - acc < next - target;
      cut.push(Math.min(before ? f : f + 1, nFeatures - (t - cut.length)));
    }
    acc = next;
  }
  while (cut.length < t) cut.push(Math.min(nFeatures, cut[cut.length - 1]! + 1));
  cut.push(nFeatures);
  const ranges: (readonly [number, number])[] = [];
  for (let i = 0; i < t; i++) ranges.push([cut[i]!, cut[i + 1]!]);
  return ranges;
}

export const sharedF64 = (n: number) => new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8));

const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const processLevel = ${processLevel.toString()};
const partitionNodes = ${partitionNodes.toString()};
const gradientPairs = ${gradientPairs.toString()};
const leafMargins = ${leafMargins.toString()};
const { ctrl, port } = workerData;
let b;
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  const m = receiveMessageOnPort(port).message;
  if (m.kind === "exit") break;
  try {
    if (m.buffers) b = m.buffers;
    if (m.kind === "none") {
    } else if (m.kind === "grad") gradientPairs(b.margin, b.labels, b.idx, b.gh, m.from, m.to, m.logistic, b.sums, 1);
    else if (m.kind === "partition") partitionNodes(b.cols, b.nRows, b.idx, b.tmpIdx, b.pd, m.from, m.to, b.nl);
    else if (m.kind === "margins") leafMargins(b.cols, b.nRows, b.idx, b.pd, m.from, m.to, b.lv, b.margin);
    else processLevel(b.rp, b.sp, b.dflt, b.nRows, m.outSlot, b.idx, b.gh, b.hist, b.off, m.nNodes, b.desc, b.featMask, m.f0, m.f1,
      m.reg.lambda, m.reg.alpha, m.reg.minChildWeight, b.out, m.outSlot);
  } catch (e) {
    port.postMessage({ error: String((e && e.stack) || e) });
    Atomics.store(ctrl, 2, 1);
  }
  Atomics.store(ctrl, 1, seen);
  Atomics.notify(ctrl, 1);
}
`;
void NODE_FIELDS;
void PART_FIELDS;
