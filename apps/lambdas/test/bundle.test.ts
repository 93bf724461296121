import { execFileSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildFunction } from "../scripts/build.ts";

describe("bundling", () => {
  it("builds a function into a small zip with no local engine, importable in a bare node", async () => {
    // prepare / act: the function with the most dependencies (Data API ingest + Glue + S3).
    const r = await buildFunction("incoming");

    // assert: size target, and the zip's index.mjs exports a handler in a bare node (no node_modules).
    expect(statSync(r.zip).size).toBeLessThanOrEqual(500 * 1024);
    const dir = mkdtempSync(path.join(tmpdir(), "lambda-zip-"));
    execFileSync("unzip", ["-q", r.zip, "-d", dir]);
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(path.join(dir, "index.mjs"))}); console.log(typeof m.handler)`,
      ],
      { cwd: dir, env: { PATH: process.env.PATH, HOTELS_ENV: "dev" } },
    );
    expect(out.toString().trim()).toBe("function");
  }, 120_000);
});
