import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { LogStore } from "../../src/index.ts";

const bytes = (b: Uint8Array | string) => (typeof b === "string" ? new TextEncoder().encode(b) : b);

/** In-memory store (test collaborator of the run log). */
export class MemStore implements LogStore {
  readonly objects = new Map<string, Uint8Array>();
  async put(bucket: string, key: string, body: Uint8Array | string) {
    this.objects.set(`${bucket}/${key}`, bytes(body));
  }
  async get(bucket: string, key: string) {
    const v = this.objects.get(`${bucket}/${key}`);
    if (!v) throw new Error(`no such object ${bucket}/${key}`);
    return v;
  }
  async head(bucket: string, key: string) {
    return this.objects.has(`${bucket}/${key}`) ? { key } : undefined;
  }
  async *list(bucket: string, prefix = "") {
    for (const k of [...this.objects.keys()].sort())
      if (k.startsWith(`${bucket}/${prefix}`)) yield { key: k.slice(bucket.length + 1) };
  }
  async delete(bucket: string, key: string) {
    this.objects.delete(`${bucket}/${key}`);
  }
}

/** A folder store with atomic puts (temp + rename), like the lake's local adapter. */
export class DirStore implements LogStore {
  constructor(readonly root: string) {}
  private p(bucket: string, key: string) {
    return path.join(this.root, bucket, key);
  }
  async put(bucket: string, key: string, body: Uint8Array | string) {
    const file = this.p(bucket, key);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp${process.pid}`, bytes(body));
    renameSync(`${file}.tmp${process.pid}`, file);
  }
  async get(bucket: string, key: string) {
    return new Uint8Array(readFileSync(this.p(bucket, key)));
  }
  async head(bucket: string, key: string) {
    try {
      statSync(this.p(bucket, key));
      return { key };
    } catch {
      return undefined;
    }
  }
  async *list(bucket: string, prefix = "") {
    for (const key of walk(path.join(this.root, bucket))) if (key.startsWith(prefix)) yield { key };
  }
  async delete(bucket: string, key: string) {
    rmSync(this.p(bucket, key), { force: true });
  }
}

/** Every file under `dir`, relative, sorted. */
export function walk(dir: string, rel = ""): string[] {
  let entries: string[];
  try {
    entries = readdirSync(path.join(dir, rel));
  } catch {
    return [];
  }
  return entries
    .flatMap((e) => {
      const r = rel ? `${rel}/${e}` : e;
      return statSync(path.join(dir, r)).isDirectory() ? walk(dir, r) : [r];
    })
    .sort();
}
