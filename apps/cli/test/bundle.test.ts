import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bundleCli } from "../scripts/bundle.ts";

/** Every module the bundle's entry loads before any command runs: its static imports, followed through
 * the chunks (dynamic `import()`s, which stay lazy, are not followed). */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  const source = readFileSync(file, "utf8");
  for (const m of source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"|^import\s+"([^"]+)"/gms)) {
    const spec = (m[1] ?? m[2])!;
    if (spec.startsWith("node:")) continue;
    const target = spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : spec;
    if (seen.has(target)) continue;
    seen.add(target);
    if (spec.startsWith(".")) staticImports(target, seen);
  }
  return seen;
}

describe("bundled hotels command", () => {
  it("runs from its bundle and loads no engine (DuckDB, PostgreSQL, PGlite, AWS SDK) before a command needs one", async () => {
    // prepare
    const out = path.join(mkdtempSync(path.join(tmpdir(), "hotels-bundle-")), "hotels.mjs");

    // act
    await bundleCli(out);
    const help = spawnSync(process.execPath, [out, "--help"], {
      encoding: "utf8",
      env: { ...process.env, HOTELS_CLI_MAIN: "1" },
    });

    // assert
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^ {2}etl\b/m);
    // Externals imported eagerly, and the packages bundled into eagerly loaded files (esbuild heads each
    // bundled module with a `// <path>` comment).
    const eager = [...staticImports(out)];
    const bundled = [out, ...eager.filter((m) => m.startsWith(path.dirname(out)))].flatMap((f) =>
      [...readFileSync(f, "utf8").matchAll(/^\/\/ \S*node_modules\/(\S+)$/gm)].map((m) => m[1]!),
    );
    const engines = /@duckdb|pglite|\/pg@|\/pg\/|pg-copy-streams|@aws-sdk|@smithy/;
    expect(eager.filter((m) => engines.test(m))).toEqual([]);
    expect(bundled.filter((m) => engines.test(m))).toEqual([]);
    expect(bundled.some((m) => m.includes("commander"))).toBe(true); // the check does see bundled packages
    // pg's Cloudflare probe (a fetch Response, ~17 ms of each start) is answered at bundle time.
    const chunks = readdirSync(path.join(path.dirname(out), "chunks")).filter((f) => f.endsWith(".mjs"));
    const pgStream = chunks
      .map((f) => readFileSync(path.join(path.dirname(out), "chunks", f), "utf8"))
      .find((text) => text.includes("pg/lib/stream.js"));
    expect(pgStream).toBeDefined();
    expect(pgStream).not.toContain("if (isCloudflareRuntime())");
  });
});
