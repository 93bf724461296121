import { Worker } from "node:worker_threads";
import { type GenerateOptions, generate } from "../generate.ts";
import type { SqlSource } from "../port.ts";
import type { GeneratedChunk } from "./generate-worker.ts";
import {
  type IngestItem,
  type IngestOptions,
  type IngestSummary,
  ingestItems,
  recordItems,
} from "./ingest.ts";
import { INGEST_TABLES } from "./load.ts";

export interface IngestGeneratedOptions extends Omit<IngestOptions, "format" | "table"> {
  /** Generate, validate and encode on a worker thread (default true), so the main thread only batches and
   * streams to the database and the two overlap on two cores. Falls back to the main thread when the worker
   * cannot start (a runtime without a TypeScript loader for workers). */
  readonly worker?: boolean;
}

/** Generates `options.bookings` bookings (with hotels, customers, reviews and updates) and ingests them
 * through the same validation and upsert as files. */
export function ingestGenerated(
  source: SqlSource,
  options: GenerateOptions,
  ingestOptions: IngestGeneratedOptions = {},
): Promise<IngestSummary> {
  const sourceName = ingestOptions.sourceName ?? `generate:${options.bookings}:seed=${options.seed ?? 1}`;
  const items = ingestOptions.worker === false ? recordItems(generate(options)) : workerItems(options);
  return ingestItems(source, items, { ...ingestOptions, sourceName }, "generated");
}

/** The worker's entry: the module itself, or (sources run as TypeScript, no build step) a bootstrap that
 * registers tsx first — a worker does not inherit the main thread's `--import tsx` loader. */
function workerEntry(): URL {
  const target = new URL("./generate-worker.ts", import.meta.url);
  if (!target.pathname.endsWith(".ts")) return target;
  const api = import.meta.resolve("tsx/esm/api");
  const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(target.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

/** The checked items of `generate(options)`, made on a worker thread; the same items, in the same order, as
 * `recordItems(generate(options))`. `fallback` (default true): made here when the worker cannot start;
 * false: that throws. */
export async function* workerItems(
  options: GenerateOptions,
  { fallback = true }: { readonly fallback?: boolean } = {},
): AsyncGenerator<IngestItem> {
  const credits = new SharedArrayBuffer(4);
  const ahead = new Int32Array(credits);
  let worker: Worker;
  try {
    worker = new Worker(workerEntry(), { workerData: { kind: "hotels-generate", options, credits } });
  } catch (e) {
    if (!fallback) throw e;
    yield* recordItems(generate(options));
    return;
  }
  const queue: (GeneratedChunk | null)[] = [];
  let failed: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  worker.on("message", (m: GeneratedChunk | null) => {
    queue.push(m);
    notify();
  });
  worker.on("error", (e) => {
    failed = e;
    notify();
  });
  worker.on("exit", (code) => {
    if (code !== 0) failed ??= new Error(`generator worker exited with code ${code}`);
    notify();
  });
  let received = 0;
  try {
    for (;;) {
      while (queue.length === 0 && !failed) await new Promise<void>((r) => (wake = r));
      if (queue.length === 0 && failed) {
        if (received > 0 || !fallback) throw failed;
        // Nothing came: the worker could not load (no TypeScript loader in this runtime). Same items here.
        yield* recordItems(generate(options));
        return;
      }
      const c = queue.shift()!;
      if (c === null) return;
      received++;
      Atomics.sub(ahead, 0, 1);
      Atomics.notify(ahead, 0);
      let r = 0;
      for (let i = 0; i < c.tables.length; i++) {
        const table = INGEST_TABLES[c.tables[i]!]!;
        const line = c.lines[i]!;
        const rej = c.rejects[r];
        if (rej?.at === i) {
          r++;
          yield { table, line, ok: false, problems: rej.problems, record: rej.record };
        } else yield { table, line, ok: true, copy: c.copies[i]!, key: c.keys[i]! };
      }
    }
  } finally {
    await worker.terminate();
  }
}
