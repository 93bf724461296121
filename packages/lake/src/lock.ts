import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { ObjectExistsError, ObjectNotFoundError } from "./errors.ts";
import type { ObjectStore } from "./port.ts";

export interface ObjectLockOptions {
  /** A lock older than this (no heartbeat) is taken over. Default 5 minutes. */
  readonly staleMs?: number;
  /** Poll interval while another holder has it. Default 250 ms. */
  readonly pollMs?: number;
  /** Give up waiting after this long. Default 15 minutes. */
  readonly maxWaitMs?: number;
}

interface LockBody {
  readonly owner: string;
  readonly pid: number;
  readonly host: string;
  readonly acquiredAt: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = new TextDecoder();

/** Runs `f` holding an exclusive lock object (create-if-absent put), across processes and hosts. The
 * holder refreshes it every `staleMs / 3`; a lock not refreshed for `staleMs` (its holder died) is taken
 * over. Returns how long it waited. */
export async function withObjectLock<T>(
  store: ObjectStore,
  bucket: string,
  key: string,
  options: ObjectLockOptions,
  f: () => Promise<T>,
): Promise<{ result: T; waitedMs: number }> {
  const staleMs = options.staleMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 250;
  const maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
  const body: LockBody = {
    owner: randomBytes(8).toString("hex"),
    pid: process.pid,
    host: hostname(),
    acquiredAt: new Date().toISOString(),
  };
  const json = JSON.stringify(body);
  const t0 = Date.now();
  for (;;) {
    try {
      await store.put(bucket, key, json, { ifAbsent: true });
      break;
    } catch (e) {
      if (!(e instanceof ObjectExistsError)) throw e;
    }
    const info = await store.head(bucket, key);
    const holder = info && (await readLock(store, bucket, key));
    // Stale: its holder stopped refreshing, or it is a process of this host that has died (killed
    // mid-crawl, say): the next run need not wait `staleMs` for it.
    if (info && (Date.now() - info.lastModified.getTime() > staleMs || (holder && deadHere(holder)))) {
      // Re-read right before deleting to narrow the race with another process taking it over too.
      const again = await store.head(bucket, key);
      if (again && again.lastModified.getTime() === info.lastModified.getTime()) {
        await store.delete(bucket, key);
        process.emitWarning(`took over stale lock ${bucket}/${key} held by ${holder?.host}:${holder?.pid}`);
      }
      continue;
    }
    if (Date.now() - t0 > maxWaitMs)
      throw new Error(`lock ${bucket}/${key} still held after ${Math.round(maxWaitMs / 1000)} s`);
    await sleep(pollMs);
  }
  const waitedMs = Date.now() - t0;
  const heartbeat = setInterval(
    () => {
      void (async () => {
        if ((await readLock(store, bucket, key))?.owner === body.owner) await store.put(bucket, key, json);
      })().catch(() => {});
    },
    Math.max(1000, staleMs / 3),
  );
  heartbeat.unref();
  try {
    return { result: await f(), waitedMs };
  } finally {
    clearInterval(heartbeat);
    if ((await readLock(store, bucket, key).catch(() => undefined))?.owner === body.owner)
      await store.delete(bucket, key);
  }
}

/** Whether the holder is a process of this host that no longer exists. */
function deadHere(holder: LockBody): boolean {
  if (holder.host !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

async function readLock(store: ObjectStore, bucket: string, key: string): Promise<LockBody | undefined> {
  try {
    return JSON.parse(text.decode(await store.get(bucket, key))) as LockBody;
  } catch (e) {
    if (e instanceof ObjectNotFoundError || e instanceof SyntaxError) return undefined;
    throw e;
  }
}
