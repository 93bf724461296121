import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LocalObjectStore,
  ObjectExistsError,
  ObjectNotFoundError,
  type ObjectStore,
  S3ObjectStore,
} from "../src/index.ts";
import { startS3, type TestS3 } from "./s3-server.ts";

const BUCKET = "curated";
const text = new TextDecoder();
const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
/** Deterministic pseudo-random chunks (incompressible, so sizes are real). */
async function* chunks(total: number, size = 1 << 20): AsyncGenerator<Uint8Array> {
  let seed = 42;
  for (let sent = 0; sent < total; sent += size) {
    const c = new Uint8Array(Math.min(size, total - sent));
    for (let i = 0; i < c.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      c[i] = seed >>> 24;
    }
    yield c;
  }
}
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3([BUCKET]);
});
afterAll(async () => {
  await s3?.close();
});

const stores: [string, () => ObjectStore][] = [
  ["LocalObjectStore", () => new LocalObjectStore(mkdtempSync(path.join(tmpdir(), "lake-")))],
  // Part size at S3's 5 MiB minimum so the 11 MiB stream below really goes multipart.
  ["S3ObjectStore on s3rver", () => new S3ObjectStore({ client: s3.client, partSize: 5 * 1024 * 1024 })],
];

describe.each(stores)("ObjectStore contract: %s", (_name, make) => {
  let store: ObjectStore;
  let n = 0;
  // Each test works under its own prefix, so the S3 bucket can be shared.
  const k = (key: string) => `t${n}/${key}`;
  beforeAll(() => {
    store = make();
  });
  const next = () => {
    n++;
  };

  it("puts and gets strings and bytes, heads sizes, overwrites", async () => {
    next();
    await store.put(BUCKET, k("a.txt"), "hello");
    await store.put(BUCKET, k("b.bin"), new Uint8Array([0, 1, 2, 255]));
    expect(text.decode(await store.get(BUCKET, k("a.txt")))).toBe("hello");
    expect([...(await store.get(BUCKET, k("b.bin")))]).toEqual([0, 1, 2, 255]);
    const h = await store.head(BUCKET, k("b.bin"));
    expect(h?.size).toBe(4);
    expect(h?.lastModified.getTime()).toBeGreaterThan(Date.now() - 60_000);
    await store.put(BUCKET, k("a.txt"), "bye");
    expect(text.decode(await store.get(BUCKET, k("a.txt")))).toBe("bye");
  });

  it("reports missing objects: head → undefined, get → ObjectNotFoundError, delete → no error", async () => {
    next();
    expect(await store.head(BUCKET, k("nope"))).toBeUndefined();
    await expect(store.get(BUCKET, k("nope"))).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.delete(BUCKET, k("nope"))).resolves.toBeUndefined();
  });

  it("streams a multi-part body (11 MiB) byte for byte", async () => {
    next();
    const size = 11 * 1024 * 1024 + 17;
    const expected = Buffer.concat(await collect(chunks(size)));
    await store.put(BUCKET, k("big.bin"), chunks(size));
    const got = await store.get(BUCKET, k("big.bin"));
    expect(got.length).toBe(size);
    expect(sha(got)).toBe(sha(expected));
    expect((await store.head(BUCKET, k("big.bin")))?.size).toBe(size);
  });

  it("lists by prefix in key order, deletes", async () => {
    next();
    for (const key of ["x/b/2", "x/b/1", "x-c", "x/a", "y/z", "xa"]) await store.put(BUCKET, k(key), key);
    // S3 lists in UTF-8 key order; s3rver lists folder by folder, so the contract compares sorted keys
    // (the local order is checked below).
    const keys = (await collect(store.list(BUCKET, k("x")))).map((o) => o.key);
    expect([...keys].sort()).toEqual([k("x-c"), k("x/a"), k("x/b/1"), k("x/b/2"), k("xa")]);
    expect((await collect(store.list(BUCKET, k("x/b/")))).map((o) => [o.key, o.size])).toEqual([
      [k("x/b/1"), 5],
      [k("x/b/2"), 5],
    ]);
    expect(await collect(store.list(BUCKET, k("none/")))).toEqual([]);
    await store.delete(BUCKET, k("x/b/1"));
    expect((await collect(store.list(BUCKET, k("x/b/")))).map((o) => o.key)).toEqual([k("x/b/2")]);
  });

  it("put ifAbsent creates once; a second or concurrent one fails with ObjectExistsError", async () => {
    next();
    await store.put(BUCKET, k("v1.json"), "first", { ifAbsent: true });
    await expect(store.put(BUCKET, k("v1.json"), "second", { ifAbsent: true })).rejects.toBeInstanceOf(
      ObjectExistsError,
    );
    expect(text.decode(await store.get(BUCKET, k("v1.json")))).toBe("first");
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((i) => store.put(BUCKET, k("race.json"), `w${i}`, { ifAbsent: true })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ObjectExistsError);
  });

  it("never shows a half-written object, and a failed stream leaves nothing", async () => {
    next();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started!: () => void;
    const begun = new Promise<void>((r) => {
      started = r;
    });
    async function* slow() {
      yield new Uint8Array(1000).fill(7);
      started();
      await gate;
      yield new Uint8Array(1000).fill(8);
    }
    const writing = store.put(BUCKET, k("slow.bin"), slow());
    await begun;
    expect(await store.head(BUCKET, k("slow.bin"))).toBeUndefined();
    expect(await collect(store.list(BUCKET, k("")))).toEqual([]);
    release();
    await writing;
    expect((await store.head(BUCKET, k("slow.bin")))?.size).toBe(2000);

    async function* failing() {
      yield new Uint8Array(10);
      throw new Error("source broke");
    }
    await expect(store.put(BUCKET, k("broken.bin"), failing())).rejects.toThrow(/source broke/);
    expect((await collect(store.list(BUCKET, k("")))).map((o) => o.key)).toEqual([k("slow.bin")]);
  });
});

describe("LocalObjectStore specifics", () => {
  it("keeps objects at <root>/<bucket>/<key>, leaves no temp files, and refuses escaping keys", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "lake-"));
    const store = new LocalObjectStore(root);
    await store.put("raw", "bookings/part-1.parquet", "data");
    expect(store.localPath("raw", "bookings/part-1.parquet")).toBe(
      path.join(root, "raw", "bookings", "part-1.parquet"),
    );
    expect(readdirSync(path.join(root, "raw", "bookings"))).toEqual(["part-1.parquet"]);
    for (const bad of ["../etc/passwd", "/abs", "a/../b", "a//b", ".tmp-x"])
      await expect(store.put("raw", bad, "x")).rejects.toThrow(/invalid key/);
    await expect(store.put("../x", "k", "x")).rejects.toThrow(/invalid bucket/);
  });

  it("lists in S3's key order ('-' sorts before '/')", async () => {
    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), "lake-")));
    for (const key of ["x/b", "x-c", "x0"]) await store.put("raw", key, key);
    const keys: string[] = [];
    for await (const o of store.list("raw")) keys.push(o.key);
    expect(keys).toEqual(["x-c", "x/b", "x0"]);
  });
});
