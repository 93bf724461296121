import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const bin = path.resolve(import.meta.dirname, "../bin/hotels.js");
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("hotels CLI", () => {
  it("lists every stage command in --help", () => {
    const r = run("--help");
    expect(r.status).toBe(0);
    for (const cmd of [
      "ingest",
      "etl",
      "crawl",
      "query",
      "tables",
      "train",
      "predict",
      "models",
      "pipeline",
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, "m"));
    }
  });

  it("reports a bad option as one line on stderr with a non-zero exit and no stack trace", () => {
    const r = run("--runtime", "gcp", "tables");
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^hotels: configuration: runtime:/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
