import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import {
  accumulate,
  barrier,
  block0Rows,
  buildBlock,
  finishLevel,
  gradientPairs,
  leafMargins,
  OUT_FIELDS,
  partitionBlock,
} from "./kernel.ts";

/** The shared buffers the trainer's kernels read and write (see `kernel.ts` for the layouts). */
export interface LevelBuffers {
  /** CSR of the binned rows: row pointers (`nRows + 1`) into the slots of the row's values outside their
   * feature's most frequent slot `dflt[f]` (-1: none). */
  readonly rp: Uint32Array;
  readonly sp: Uint16Array;
  readonly dflt: Int32Array;
  readonly nRows: number;
  /** Row ids: block 0's region first, then block 1's; each node holds a range in each. */
  readonly idx: Uint32Array;
  readonly gh: Float32Array;
  /** Column-major slots (partitioning). */
  readonly cols: Uint16Array;
  readonly tmpIdx: Uint32Array;
  /** Partition descriptor (PART_FIELDS per node) and per-block left counts (`nl[block * nlStride + j]`). */
  pd: Float64Array;
  nl: Int32Array;
  nlStride: number;
  /** Last level: leaf values per node (left, right) added straight to `margin` (see `leafMargins`). */
  lv: Float64Array;
  /** Training margins and labels (for gradient pairs) and the two blocks' sums (G0, H0, G1, H1). */
  readonly margin: Float32Array;
  readonly labels: Float32Array;
  readonly sums: Float64Array;
  /** `expTables()`, for the sigmoid. */
  readonly exp: Float64Array;
  /** Level histograms (two parity halves of `slotCap` slots) and block 1's partial histograms. */
  hist: Float64Array;
  part: Float64Array;
  readonly off: Int32Array;
  desc: Float64Array;
  readonly featMask: Uint8Array;
  out: Float64Array;
  /** Barrier between the two compute threads inside a level task. */
  readonly bar: Int32Array;
}

export interface LevelRegularisation {
  readonly lambda: number;
  readonly alpha: number;
  readonly minChildWeight: number;
}

/** How long a thread waits at the level barrier for the other one before failing the training. */
const BARRIER_TIMEOUT_MS = 120_000;

/** Task kinds in `task[0]`. */
const GRAD = 1;
const STEP = 2;
const MARGINS = 3;
const LEVEL = 4;
const TREE_START = 5;
const EXIT = 9;
/** Busy-wait this many polls before sleeping in Atomics.wait: the next hand-off is usually a few µs away,
 * and a futex wake-up costs tens of µs (~5,000 hand-offs per training). */
const SPIN = 20_000;

/** Runs the trainer's kernels on one or two threads: the calling thread takes row block 0 and feature range
 * 0, a worker thread block 1 and range 1 (with one thread, the calling thread does both blocks, in the same
 * order of operations, so the result is the same). All buffers are SharedArrayBuffers: nothing is copied,
 * and a task is a few numbers in `task`; the port only carries the buffers when they change, and errors. */
export class LevelExecutor {
  private readonly worker?: Worker;
  private readonly port?: MessagePort;
  /** 4 int32: task sequence number, last finished task, error flag, buffers version. */
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(16));
  /** The task's parameters: kind, nNodes, T2, f0, f1, lambda, alpha, minChildWeight, start, logistic,
   * nlStride, nParents. */
  private readonly task = new Float64Array(new SharedArrayBuffer(16 * 8));
  private ranges: (readonly [number, number])[] = [];
  private buf!: LevelBuffers;
  private sentVersion = -1;
  /** Bumped whenever a buffer is replaced, so the worker gets the new one. */
  version = 0;

  /** Boots the worker (for `threads` = 2) at once, so it starts while the caller bins the data; `bind`
   * gives it the buffers. */
  constructor(threads: number) {
    if (threads < 1 || threads > 2) throw new Error(`1 or 2 threads, not ${threads}`);
    if (threads === 2) {
      const { port1, port2 } = new MessageChannel();
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { ctrl: this.ctrl, task: this.task, port: port2 },
        transferList: [port2],
      });
      this.port = port1;
    }
  }

  /** The shared buffers and one feature range per thread, for the per-bin work. */
  bind(buf: LevelBuffers, ranges: readonly (readonly [number, number])[]): this {
    if (ranges.length !== (this.worker ? 2 : 1)) throw new Error(`${ranges.length} feature ranges`);
    this.buf = buf;
    this.ranges = [...ranges];
    this.version++;
    return this;
  }

  /** Best-split records per node (one per feature range). */
  get slots(): number {
    return this.ranges.length;
  }

  /** Hands the task in `task` (kind first) to the worker and runs the calling thread's share; returns when
   * both are done. */
  private dispatch(kind: number, own: () => void): void {
    const c = this.ctrl;
    if (this.worker) {
      if (this.sentVersion !== this.version) {
        this.port!.postMessage({ ...this.buf });
        Atomics.store(c, 3, this.version);
        this.sentVersion = this.version;
      }
      this.task[0] = kind;
      Atomics.add(c, 0, 1);
      Atomics.notify(c, 0);
    }
    let ownError: unknown;
    try {
      own();
    } catch (e) {
      ownError = e;
    }
    if (this.worker) {
      const seq = Atomics.load(c, 0);
      for (let s = 0; s < SPIN && Atomics.load(c, 1) !== seq; s++);
      for (let d = Atomics.load(c, 1); d !== seq; d = Atomics.load(c, 1)) Atomics.wait(c, 1, d);
      if (Atomics.load(c, 2) !== 0) {
        Atomics.store(c, 2, 0);
        const m = receiveMessageOnPort(this.port!)?.message as { error?: string } | undefined;
        throw new Error(m?.error ?? "worker failed");
      }
    }
    if (ownError !== undefined) throw ownError;
  }

  private setLevel(nNodes: number, reg: LevelRegularisation): number {
    const b = this.buf;
    const need = nNodes * OUT_FIELDS * this.ranges.length;
    if (b.out.length < need) {
      b.out = sharedF64(need * 2);
      this.version++;
    }
    const T2 = b.off[b.off.length - 1]! * 2;
    const t = this.task;
    t[1] = nNodes;
    t[2] = T2;
    t[3] = this.ranges[1]?.[0] ?? 0;
    t[4] = this.ranges[1]?.[1] ?? 0;
    t[5] = reg.lambda;
    t[6] = reg.alpha;
    t[7] = reg.minChildWeight;
    return T2;
  }

  /** The calling thread's split search over its feature range(s), after the histograms are complete. */
  private finish(nNodes: number, reg: LevelRegularisation, rootSums: Float64Array | null): void {
    const b = this.buf;
    const [f0, f1] = this.ranges[0]!;
    finishLevel(
      b.hist,
      b.part,
      b.off,
      b.dflt,
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
      rootSums,
    );
  }

  /** Histograms (built from the rows in `desc`) and best splits of one level of `nNodes` nodes. */
  level(nNodes: number, reg: LevelRegularisation): void {
    const b = this.buf;
    const T2 = this.setLevel(nNodes, reg);
    this.dispatch(LEVEL, () => {
      buildBlock(b.rp, b.sp, b.idx, b.gh, b.hist, b.part, T2, nNodes, b.desc, 0);
      if (this.worker) barrier(b.bar, 2, BARRIER_TIMEOUT_MS);
      else buildBlock(b.rp, b.sp, b.idx, b.gh, b.hist, b.part, T2, nNodes, b.desc, 1);
      this.finish(nNodes, reg, null);
    });
  }

  /** A tree's first task without row sampling: gradient pairs of every row (`idx` listing block 0's rows,
   * then block 1's), the root's histogram (`desc` node 0: its totals come from the gradient sums) and its
   * best splits. Returns the totals G, H and the size of block 0. */
  treeStart(logistic: boolean, reg: LevelRegularisation): { G: number; H: number; rows0: number } {
    const b = this.buf;
    const n = b.nRows;
    const rows0 = block0Rows(n);
    const lg = logistic ? 1 : 0;
    const T2 = this.setLevel(1, reg);
    this.task[8] = rows0;
    this.task[9] = lg;
    this.dispatch(TREE_START, () => {
      gradientPairs(b.margin, b.labels, b.idx, b.gh, n, 0, 0, lg, b.sums, b.exp);
      buildBlock(b.rp, b.sp, b.idx, b.gh, b.hist, b.part, T2, 1, b.desc, 0);
      if (this.worker) barrier(b.bar, 2, BARRIER_TIMEOUT_MS);
      else {
        gradientPairs(b.margin, b.labels, b.idx, b.gh, n, 1, rows0, lg, b.sums, b.exp);
        buildBlock(b.rp, b.sp, b.idx, b.gh, b.hist, b.part, T2, 1, b.desc, 1);
      }
      this.finish(1, reg, b.sums);
    });
    return { G: b.sums[0]! + b.sums[2]!, H: b.sums[1]! + b.sums[3]!, rows0 };
  }

  /** Gradient pairs of all rows by block, `idx` listing block 0's rows then block 1's; returns the totals
   * G, H and the size of block 0 (the row-sampling path; `treeStart` otherwise). */
  gradients(logistic: boolean): { G: number; H: number; rows0: number } {
    const b = this.buf;
    const n = b.nRows;
    const rows0 = block0Rows(n);
    const lg = logistic ? 1 : 0;
    this.task[8] = rows0;
    this.task[9] = lg;
    this.dispatch(GRAD, () => {
      gradientPairs(b.margin, b.labels, b.idx, b.gh, n, 0, 0, lg, b.sums, b.exp);
      if (!this.worker) gradientPairs(b.margin, b.labels, b.idx, b.gh, n, 1, rows0, lg, b.sums, b.exp);
    });
    return { G: b.sums[0]! + b.sums[2]!, H: b.sums[1]! + b.sums[3]!, rows0 };
  }

  /** One step down the tree: partitions the rows of the `nParents` nodes in `pd` (left counts per block
   * land in `nl`), building the histogram of the child `pd` names for each, then completes the histograms
   * of the `nNodes` children in `desc` and finds their best splits. */
  step(nParents: number, nNodes: number, reg: LevelRegularisation): void {
    const b = this.buf;
    const T2 = this.setLevel(nNodes, reg);
    this.task[10] = b.nlStride;
    this.task[11] = nParents;
    const part = (block: number) =>
      partitionBlock(
        b.cols,
        b.nRows,
        b.idx,
        b.tmpIdx,
        b.pd,
        nParents,
        block,
        b.nl,
        b.nlStride,
        b.rp,
        b.sp,
        b.gh,
        b.hist,
        b.part,
        T2,
      );
    this.dispatch(STEP, () => {
      part(0);
      if (this.worker) barrier(b.bar, 2, BARRIER_TIMEOUT_MS);
      else part(1);
      this.finish(nNodes, reg, null);
    });
  }

  /** The last level: adds the leaf values `lv` of the `nNodes` nodes in `pd` to their rows' margins. */
  margins(nNodes: number): void {
    const b = this.buf;
    this.task[1] = nNodes;
    this.dispatch(MARGINS, () => {
      leafMargins(b.cols, b.nRows, b.idx, b.pd, nNodes, 0, b.lv, b.margin);
      if (!this.worker) leafMargins(b.cols, b.nRows, b.idx, b.pd, nNodes, 1, b.lv, b.margin);
    });
  }

  async close(): Promise<void> {
    if (!this.worker) return;
    this.task[0] = EXIT;
    Atomics.add(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
    await this.worker.terminate();
    this.port!.close();
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
const accumulate = ${accumulate.toString()};
const barrier = ${barrier.toString()};
const buildBlock = ${buildBlock.toString()};
const finishLevel = ${finishLevel.toString()};
const partitionBlock = ${partitionBlock.toString()};
const gradientPairs = ${gradientPairs.toString()};
const leafMargins = ${leafMargins.toString()};
const { ctrl, task: t, port } = workerData;
let b;
let version = -1;
let seen = 0;
const finish = (rootSums) =>
  finishLevel(b.hist, b.part, b.off, b.dflt, t[1], b.desc, b.featMask, t[3], t[4], t[5], t[6], t[7], b.out, 1, rootSums);
for (;;) {
  for (let s = 0; s < ${SPIN} && Atomics.load(ctrl, 0) === seen; s++);
  Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  const kind = t[0];
  if (kind === ${EXIT}) break;
  try {
    if (Atomics.load(ctrl, 3) !== version) {
      b = receiveMessageOnPort(port).message;
      version = Atomics.load(ctrl, 3);
    }
    if (kind === ${GRAD}) gradientPairs(b.margin, b.labels, b.idx, b.gh, b.nRows, 1, t[8], t[9], b.sums, b.exp);
    else if (kind === ${TREE_START}) {
      gradientPairs(b.margin, b.labels, b.idx, b.gh, b.nRows, 1, t[8], t[9], b.sums, b.exp);
      buildBlock(b.rp, b.sp, b.idx, b.gh, b.hist, b.part, t[2], 1, b.desc, 1);
      barrier(b.bar, 2, ${BARRIER_TIMEOUT_MS});
      finish(b.sums, b.exp);
    } else if (kind === ${STEP}) {
      partitionBlock(b.cols, b.nRows, b.idx, b.tmpIdx, b.pd, t[11], 1, b.nl, t[10], b.rp, b.sp, b.gh, b.hist, b.part, t[2]);
      barrier(b.bar, 2, ${BARRIER_TIMEOUT_MS});
      finish(null);
    } else if (kind === ${MARGINS}) leafMargins(b.cols, b.nRows, b.idx, b.pd, t[1], 1, b.lv, b.margin);
    else if (kind === ${LEVEL}) {
      buildBlock(b.rp, b.sp, b.idx, b.gh, b.hist, b.part, t[2], t[1], b.desc, 1);
      barrier(b.bar, 2, ${BARRIER_TIMEOUT_MS});
      finish(null);
    }
  } catch (e) {
    port.postMessage({ error: String((e && e.stack) || e) });
    Atomics.store(ctrl, 2, 1);
  }
  Atomics.store(ctrl, 1, seen);
  Atomics.notify(ctrl, 1);
}
`;
