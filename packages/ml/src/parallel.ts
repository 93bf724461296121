import { Worker } from "node:worker_threads";
import { NODE_FIELDS, OUT_FIELDS, processLevel } from "./kernel.ts";

/** The shared buffers one level's histogram work reads and writes. */
export interface LevelBuffers {
  readonly bins: Uint16Array;
  readonly nRows: number;
  readonly idx: Uint32Array;
  readonly gh: Float32Array;
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
  private readonly ranges: (readonly [number, number])[];
  private sentVersion = -1;
  /** Bumped whenever a buffer is replaced, so the workers get the new one. */
  version = 0;

  constructor(
    private readonly buf: LevelBuffers,
    threads: number,
    nFeatures: number,
  ) {
    const t = Math.max(1, Math.min(threads, nFeatures));
    this.ranges = [];
    for (let i = 0; i < t; i++)
      this.ranges.push([Math.floor((i * nFeatures) / t), Math.floor(((i + 1) * nFeatures) / t)]);
    for (let i = 1; i < t; i++) this.workers.push(new Worker(WORKER_SOURCE, { eval: true }));
  }

  get slots(): number {
    return this.ranges.length;
  }

  async run(nNodes: number, reg: LevelRegularisation): Promise<void> {
    const b = this.buf;
    const need = nNodes * OUT_FIELDS * this.ranges.length;
    if (b.out.length < need) {
      b.out = sharedF64(need * 2);
      this.version++;
    }
    const pending = this.workers.map(
      (w, i) =>
        new Promise<void>((resolve, reject) => {
          w.once("message", (m: { error?: string }) => (m?.error ? reject(new Error(m.error)) : resolve()));
          w.once("error", reject);
          const [f0, f1] = this.ranges[i + 1]!;
          w.postMessage({
            buffers: this.sentVersion === this.version ? undefined : { ...b },
            nNodes,
            f0,
            f1,
            reg,
            outSlot: i + 1,
          });
        }),
    );
    this.sentVersion = this.version;
    const [f0, f1] = this.ranges[0]!;
    processLevel(
      b.bins,
      b.nRows,
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
    await Promise.all(pending);
    for (const w of this.workers) w.removeAllListeners("error");
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export const sharedF64 = (n: number) => new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8));

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const processLevel = ${processLevel.toString()};
let b;
parentPort.on("message", (m) => {
  try {
    if (m.buffers) b = m.buffers;
    processLevel(b.bins, b.nRows, b.idx, b.gh, b.hist, b.off, m.nNodes, b.desc, b.featMask, m.f0, m.f1,
      m.reg.lambda, m.reg.alpha, m.reg.minChildWeight, b.out, m.outSlot);
    parentPort.postMessage({});
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.stack || e) });
  }
});
`;
void NODE_FIELDS;
