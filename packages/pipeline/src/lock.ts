import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

/** What a lock file holds: who holds it and when it last proved alive. */
export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  readonly purpose?: string;
}

export class LockHeldError extends Error {
  constructor(
    readonly holder: LockInfo,
    readonly file: string,
    staleMs: number,
  ) {
    const age = Math.round((Date.now() - Date.parse(holder.heartbeatAt)) / 1000);
    super(
      `another pipeline run is in progress (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}, ` +
        `last heartbeat ${age}s ago); wait for it to finish — a dead holder's lock is freed automatically ` +
        `(its pid is gone, or no heartbeat for ${Math.round(staleMs / 1000)}s). Lock: ${file}`,
    );
  }
}

export interface FileLockOptions {
  /** A holder whose heartbeat is older than this is considered dead (other hosts). Default 60 s. */
  readonly staleMs?: number;
  /** How often the holder refreshes its heartbeat. Default 5 s. */
  readonly heartbeatMs?: number;
  /** Shown to a second caller. */
  readonly purpose?: string;
}

export interface LockHandle {
  readonly info: LockInfo;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A lock file created exclusively (`wx`), holding pid + heartbeat. A holder is dead when, on this host,
 * its pid is gone, or (any host) its heartbeat is older than `staleMs`; a dead holder's lock is taken over.
 * Local only: on AWS, steps are serialised by the services (one Glue job run / crawler at a time). */
export class FileLock {
  readonly staleMs: number;
  readonly heartbeatMs: number;
  constructor(
    readonly file: string,
    private readonly options: FileLockOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 60_000;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
  }

  /** The current holder, if any (alive or not). */
  holder(): LockInfo | undefined {
    try {
      return JSON.parse(readFileSync(this.file, "utf8")) as LockInfo;
    } catch {
      return undefined;
    }
  }

  isStale(info: LockInfo): boolean {
    if (info.host === hostname() && !alive(info.pid)) return true;
    return Date.now() - Date.parse(info.heartbeatAt) > this.staleMs;
  }

  /** Takes the lock or throws `LockHeldError` naming the live holder. */
  acquire(): LockHandle {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const startedAt = new Date().toISOString();
    const info = (): LockInfo => ({
      pid: process.pid,
      host: hostname(),
      startedAt,
      heartbeatAt: new Date().toISOString(),
      ...(this.options.purpose ? { purpose: this.options.purpose } : {}),
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(this.file, JSON.stringify(info()), { flag: "wx" });
        return this.handle(info);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const current = this.holder();
      if (current && !this.isStale(current)) throw new LockHeldError(current, this.file, this.staleMs);
      // Dead holder: move its file aside (rename is atomic, so only one contender wins), then retry.
      try {
        renameSync(this.file, `${this.file}.stale-${process.pid}`);
        unlinkSync(`${this.file}.stale-${process.pid}`);
      } catch {
        /* another contender took it over first; retry sees its fresh lock */
      }
    }
    const current = this.holder();
    if (current) throw new LockHeldError(current, this.file, this.staleMs);
    throw new Error(`could not take the lock ${this.file}`);
  }

  private handle(info: () => LockInfo): LockHandle {
    const first = info();
    const beat = () => {
      // Rewrite via rename so a reader never sees a half-written file; stop if someone took it over.
      const cur = this.holder();
      if (!cur || cur.pid !== process.pid || cur.host !== hostname()) return clearInterval(timer);
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ ...info(), startedAt: first.startedAt }));
      renameSync(tmp, this.file);
    };
    const timer = setInterval(beat, this.heartbeatMs);
    timer.unref();
    return {
      info: first,
      release: () => {
        clearInterval(timer);
        const cur = this.holder();
        if (cur && cur.pid === process.pid && cur.host === hostname()) {
          try {
            unlinkSync(this.file);
          } catch {
            /* already gone */
          }
        }
      },
    };
  }
}
