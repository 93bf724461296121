import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../src/generate.ts";
import { workerItems } from "../src/ingest/generated.ts";
import { type IngestItem, recordItems } from "../src/ingest/ingest.ts";

const digest = async (items: Iterable<IngestItem> | AsyncIterable<IngestItem>) => {
  const h = createHash("sha256");
  let n = 0;
  for await (const i of items) {
    n++;
    h.update(JSON.stringify([i.table.name, i.line, i.ok, i.ok ? [i.copy, i.key] : i.problems]));
  }
  return { n, hash: h.digest("hex") };
};

describe("workerItems", () => {
  it("gives the same items in the same order as generating on the main thread (or falls back to it)", async () => {
    // act
    const here = await digest(recordItems(generate({ bookings: 3000, seed: 3 })));
    const worker = await digest(workerItems({ bookings: 3000, seed: 3 }));
    // assert
    expect(here.n).toBeGreaterThan(5000);
    expect(worker).toEqual(here);
  });

  it("runs on a worker thread under the TypeScript loader the CLI uses (tsx), chunk after chunk", () => {
    // prepare: a script comparing both, with no fallback allowed (a worker that cannot start throws)
    const root = path.resolve(import.meta.dirname, "../../..");
    const src = path.resolve(import.meta.dirname, "../src");
    const script = `
      import { createHash } from "node:crypto";
      import { generate } from ${JSON.stringify(`${src}/generate.ts`)};
      import { workerItems } from ${JSON.stringify(`${src}/ingest/generated.ts`)};
      import { recordItems } from ${JSON.stringify(`${src}/ingest/ingest.ts`)};
      const d = async (xs) => { const h = createHash("sha256"); let n = 0;
        for await (const i of xs) { n++; h.update(JSON.stringify([i.table.name, i.line, i.ok, i.ok ? [i.copy, i.key] : i.problems])); }
        return { n, hash: h.digest("hex") }; };
      const opts = { bookings: 20000, seed: 4 };
      console.log(JSON.stringify({ here: await d(recordItems(generate(opts))), worker: await d(workerItems(opts, { fallback: false })) }));`;
    const dir = mkdtempSync(path.join(tmpdir(), "worker-items-"));
    const file = path.join(dir, "check.mts");
    writeFileSync(file, script);
    // act
    let out: string;
    try {
      out = execFileSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // assert: 20k bookings are ~40k items, many chunks and the in-flight limit exercised
    const { here, worker } = JSON.parse(out.trim().split("\n").at(-1)!);
    expect(here.n).toBeGreaterThan(35_000);
    expect(worker).toEqual(here);
  });
});
