/** Worker side of `ingestGenerated({ worker: true })`: generates, validates and COPY-encodes records off the
 * main thread, which then only batches and streams them to the database. Items are posted in packed chunks;
 * at most `MAX_AHEAD` chunks are in flight (a shared counter the main thread decrements), so memory stays
 * flat in the input size. */
import { parentPort, workerData } from "node:worker_threads";
import type { Problem } from "@hotels/schema";
import { type GenerateOptions, generate } from "../generate.ts";
import { recordItems } from "./ingest.ts";
import { INGEST_TABLES } from "./load.ts";

export const CHUNK_ITEMS = 2000;
export const MAX_AHEAD = 8;

/** One posted chunk: valid items packed column-wise (cheap to clone), rejected ones as they are. */
export interface GeneratedChunk {
  readonly tables: Uint8Array;
  readonly lines: Float64Array;
  readonly copies: string[];
  readonly keys: string[];
  /** Rejected items, by position in the chunk. */
  readonly rejects: {
    readonly at: number;
    readonly problems: readonly Problem[];
    readonly record: unknown;
  }[];
}

if (parentPort && workerData?.kind === "hotels-generate") {
  const { options, credits } = workerData as { options: GenerateOptions; credits: SharedArrayBuffer };
  const ahead = new Int32Array(credits);
  const index = new Map<string, number>(INGEST_TABLES.map((t, i) => [t.name, i]));
  let tables = new Uint8Array(CHUNK_ITEMS);
  let lines = new Float64Array(CHUNK_ITEMS);
  let copies: string[] = [];
  let keys: string[] = [];
  let rejects: GeneratedChunk["rejects"] = [];
  let n = 0;
  const post = () => {
    // Wait while the main thread is MAX_AHEAD chunks behind.
    for (let a = Atomics.load(ahead, 0); a >= MAX_AHEAD; a = Atomics.load(ahead, 0))
      Atomics.wait(ahead, 0, a);
    Atomics.add(ahead, 0, 1);
    const chunk: GeneratedChunk = {
      tables: tables.subarray(0, n),
      lines: lines.subarray(0, n),
      copies,
      keys,
      rejects,
    };
    parentPort!.postMessage(chunk, [tables.buffer, lines.buffer]);
    tables = new Uint8Array(CHUNK_ITEMS);
    lines = new Float64Array(CHUNK_ITEMS);
    copies = [];
    keys = [];
    rejects = [];
    n = 0;
  };
  for (const item of recordItems(generate(options))) {
    const t = index.get(item.table.name)!;
    if (item.ok) {
      copies.push(item.copy);
      keys.push(item.key);
    } else {
      rejects.push({ at: n, problems: item.problems, record: item.record });
      copies.push("");
      keys.push("");
    }
    tables[n] = t;
    lines[n] = item.line;
    if (++n === CHUNK_ITEMS) post();
  }
  if (n) post();
  parentPort.postMessage(null);
}
