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
const BARRIER_TIMEOUT_MS = 60_000;

/** Task kinds in `task[0]`. */
const GRAD = 1;
const STEP = 2;
const MARGINS = 3;
const LEVEL = 4;
const TREE_START = 5;
const EXIT = 9;
/** A worker busy-waits this many polls for its next task before sleeping in Atomics.wait: the next hand-off
 * is usually a few µs away, and a futex wake-up costs tens of µs (~2,700 hand-offs per training). The
 * calling thread does not poll: it would take a core from a worker (measured: 2.4 → 3.2 s). */
const SPIN = 20_000;

/** Runs the trainer's kernels on one or two worker threads: worker 0 takes row block 0 and feature range 0,
 * worker 1 block 1 and range 1 (a single worker does both blocks, in the same order of operations, so the
 * result is the same). The calling thread only hands out tasks and keeps the tree: kernels run in fresh
 * isolates, because in a process that has loaded the AWS SDK (the CLI, the lake and ML packages), the same
 * kernel ran ~25 % slower on the main thread than in a worker (measured; V8 internals). All buffers are
 * SharedArrayBuffers: nothing is copied, and a task is a few numbers in `task`; ports only carry the buffers
 * when they change, and errors. */
export class LevelExecutor {
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  /** int32: task sequence number, buffers version, then per worker: last finished task, error flag. */
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(32));
  /** The task's parameters: kind, nNodes, T2, f0, f1, lambda, alpha, minChildWeight, start, logistic,
   * nlStride, nParents, then per worker its feature range (f0, f1 at 12 + 2w). */
  private readonly task = new Float64Array(new SharedArrayBuffer(16 * 8));
  private ranges: (readonly [number, number])[] = [];
  private buf!: LevelBuffers;
  private sentVersion = -1;
  /** Bumped whenever a buffer is replaced, so the workers get the new one. */
  version = 0;

  /** Boots the workers at once, so they start while the caller bins the data; `bind` gives them the
   * buffers. */
  constructor(threads: number) {
    if (threads < 1 || threads > 2) throw new Error(`1 or 2 threads, not ${threads}`);
    for (let w = 0; w < threads; w++) {
      const { port1, port2 } = new MessageChannel();
      this.workers.push(
        new Worker(WORKER_SOURCE, {
          eval: true,
          workerData: { ctrl: this.ctrl, task: this.task, port: port2, id: w, solo: threads === 1 },
          transferList: [port2],
        }),
      );
      this.ports.push(port1);
    }
  }

  /** The shared buffers and one feature range per thread, for the per-bin work. */
  bind(buf: LevelBuffers, ranges: readonly (readonly [number, number])[]): this {
    if (ranges.length !== this.workers.length) throw new Error(`${ranges.length} feature ranges`);
    this.buf = buf;
    this.ranges = [...ranges];
    this.ranges.forEach(([f0, f1], w) => {
      this.task[12 + 2 * w] = f0;
      this.task[13 + 2 * w] = f1;
    });
    this.version++;
    return this;
  }

  /** Best-split records per node (one per feature range). */
  get slots(): number {
    return this.ranges.length;
  }

  /** Hands the task in `task` (kind first) to the workers; returns when all are done. */
  private dispatch(kind: number): void {
    const c = this.ctrl;
    if (this.sentVersion !== this.version) {
      for (const port of this.ports) port.postMessage({ ...this.buf });
      Atomics.store(c, 1, this.version);
      this.sentVersion = this.version;
    }
    this.task[0] = kind;
    Atomics.add(c, 0, 1);
    Atomics.notify(c, 0);
    const seq = Atomics.load(c, 0);
    for (let w = 0; w < this.workers.length; w++) {
      const done = 2 + 2 * w;
      for (let d = Atomics.load(c, done); d !== seq; d = Atomics.load(c, done)) Atomics.wait(c, done, d);
    }
    const errors: string[] = [];
    for (let w = 0; w < this.workers.length; w++)
      if (Atomics.load(c, 3 + 2 * w) !== 0) {
        Atomics.store(c, 3 + 2 * w, 0);
        const m = receiveMessageOnPort(this.ports[w]!)?.message as { error?: string } | undefined;
        errors.push(m?.error ?? `training worker ${w} failed`);
      }
    // a worker that failed leaves the other one waiting at the barrier: its own error comes first
    if (errors.length > 0)
      throw new Error(errors.sort((a, b) => +a.includes("barrier") - +b.includes("barrier")).join("; "));
  }

  private setLevel(nNodes: number, reg: LevelRegularisation): void {
    const b = this.buf;
    const need = nNodes * OUT_FIELDS * this.ranges.length;
    if (b.out.length < need) {
      b.out = sharedF64(need * 2);
      this.version++;
    }
    const t = this.task;
    t[1] = nNodes;
    t[2] = b.off[b.off.length - 1]! * 2;
    t[5] = reg.lambda;
    t[6] = reg.alpha;
    t[7] = reg.minChildWeight;
  }

  /** Histograms (built from the rows in `desc`) and best splits of one level of `nNodes` nodes. */
  level(nNodes: number, reg: LevelRegularisation): void {
    this.setLevel(nNodes, reg);
    this.dispatch(LEVEL);
  }

  /** A tree's first task without row sampling: gradient pairs of every row (`idx` listing block 0's rows,
   * then block 1's), the root's histogram (`desc` node 0: its totals come from the gradient sums) and its
   * best splits. Returns the totals G, H and the size of block 0. */
  treeStart(logistic: boolean, reg: LevelRegularisation): { G: number; H: number; rows0: number } {
    const b = this.buf;
    const rows0 = block0Rows(b.nRows);
    this.setLevel(1, reg);
    this.task[8] = rows0;
    this.task[9] = logistic ? 1 : 0;
    this.dispatch(TREE_START);
    return { G: b.sums[0]! + b.sums[2]!, H: b.sums[1]! + b.sums[3]!, rows0 };
  }

  /** Gradient pairs of all rows by block, `idx` listing block 0's rows then block 1's; returns the totals
   * G, H and the size of block 0 (the row-sampling path; `treeStart` otherwise). */
  gradients(logistic: boolean): { G: number; H: number; rows0: number } {
    const b = this.buf;
    const rows0 = block0Rows(b.nRows);
    this.task[8] = rows0;
    this.task[9] = logistic ? 1 : 0;
    this.dispatch(GRAD);
    return { G: b.sums[0]! + b.sums[2]!, H: b.sums[1]! + b.sums[3]!, rows0 };
  }

  /** One step down the tree: partitions the rows of the `nParents` nodes in `pd` (left counts per block
   * land in `nl`), building the histogram of the child `pd` names for each, then completes the histograms
   * of the `nNodes` children in `desc` and finds their best splits. */
  step(nParents: number, nNodes: number, reg: LevelRegularisation): void {
    this.setLevel(nNodes, reg);
    this.task[10] = this.buf.nlStride;
    this.task[11] = nParents;
    this.dispatch(STEP);
  }

  /** The last level: adds the leaf values `lv` of the `nNodes` nodes in `pd` to their rows' margins. */
  margins(nNodes: number): void {
    this.task[1] = nNodes;
    this.dispatch(MARGINS);
  }

  async close(): Promise<void> {
    this.task[0] = EXIT;
    Atomics.add(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const port of this.ports) port.close();
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
const { ctrl, task: t, port, id, solo } = workerData;
// a lone worker does both row blocks and all features; of two, worker w does block w and range w
const blocks = solo ? [0, 1] : [id];
const sync = () => { if (!solo) barrier(b.bar, 2, id, ${BARRIER_TIMEOUT_MS}); };
let b;
let version = -1;
let seen = 0;
const finish = (rootSums) =>
  finishLevel(b.hist, b.part, b.off, b.dflt, t[1], b.desc, b.featMask, t[12 + 2 * id], t[13 + 2 * id], t[5], t[6], t[7], b.out, id, rootSums);
for (;;) {
  // poll, then sleep; Atomics.wait may return without a new task (spurious wake-ups): only a changed
  // sequence number is a task
  for (let s = 0; Atomics.load(ctrl, 0) === seen; s++) if (s >= ${SPIN}) Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  const kind = t[0];
  if (kind === ${EXIT}) break;
  try {
    if (Atomics.load(ctrl, 1) !== version) {
      b = receiveMessageOnPort(port).message;
      version = Atomics.load(ctrl, 1);
    }
    if (kind === ${GRAD}) {
      for (const k of blocks) gradientPairs(b.margin, b.labels, b.idx, b.gh, b.nRows, k, k === 0 ? 0 : t[8], t[9], b.sums, b.exp);
    } else if (kind === ${TREE_START}) {
      for (const k of blocks) {
        gradientPairs(b.margin, b.labels, b.idx, b.gh, b.nRows, k, k === 0 ? 0 : t[8], t[9], b.sums, b.exp);
        buildBlock(b.rp, b.sp, b.idx, b.gh, b.hist, b.part, t[2], 1, b.desc, k);
      }
      sync();
      finish(b.sums);
    } else if (kind === ${STEP}) {
      for (const k of blocks)
        partitionBlock(b.cols, b.nRows, b.idx, b.tmpIdx, b.pd, t[11], k, b.nl, t[10], b.rp, b.sp, b.gh, b.hist, b.part, t[2]);
      sync();
      finish(null);
    } else if (kind === ${MARGINS}) {
      for (const k of blocks) leafMargins(b.cols, b.nRows, b.idx, b.pd, t[1], k, b.lv, b.margin);
    } else if (kind === ${LEVEL}) {
      for (const k of blocks) buildBlock(b.rp, b.sp, b.idx, b.gh, b.hist, b.part, t[2], t[1], b.desc, k);
      sync();
      finish(null);
    }
  } catch (e) {
    port.postMessage({ error: "training worker " + id + ": " + String((e && e.stack) || e) });
    Atomics.store(ctrl, 3 + 2 * id, 1);
  }
  Atomics.store(ctrl, 2 + 2 * id, seen);
  Atomics.notify(ctrl, 2 + 2 * id);
}
`;
