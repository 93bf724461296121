/** `pnpm bench lambdas [--runs N]`: builds every Lambda zip (apps/lambdas, esbuild), then prints each zip's
 * size and the time to import its handler in a bare `node` (no node_modules: the zip's index.mjs alone),
 * median of N runs, beside the same run's reference — importing an empty ES module in the same bare node —
 * and the targets: each zip ≤ 500 KB, import ≤ 150 ms. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildFunction } from "../../apps/lambdas/scripts/build.ts";
import { FUNCTIONS } from "../../apps/lambdas/src/functions.ts";
import { measure, report } from "./measure.ts";

const ZIP_TARGET_KB = 500;
const IMPORT_TARGET_MS = 150;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Import time of `file` (then of `more`, the lazily imported chunks, when given) measured inside a fresh
 * bare node (process start excluded), in ms. */
function importMs(file: string, cwd: string, more: readonly string[] = []): number {
  const out = execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const t = performance.now(); const m = await import(${JSON.stringify(file)}); ` +
        `if (m.handler !== undefined && typeof m.handler !== "function") throw new Error("no handler"); ` +
        `for (const f of ${JSON.stringify(more)}) await import(f); ` +
        "console.log(performance.now() - t);",
    ],
    // A bare environment: no NODE_OPTIONS (tsx), no node_modules next to the file.
    { cwd, env: { PATH: process.env.PATH ?? "", HOTELS_ENV: "dev", AWS_REGION: "eu-west-1" } },
  );
  return Number(out.toString().trim());
}

export async function run(args: string[]): Promise<void> {
  const i = args.indexOf("--runs");
  const runs = i >= 0 ? Number(args[i + 1]) : 5;
  const t0 = performance.now();
  const built = [];
  for (const fn of FUNCTIONS) built.push(await buildFunction(fn.name));
  const buildSeconds = (performance.now() - t0) / 1000;

  const dir = mkdtempSync(path.join(tmpdir(), "bench-lambdas-"));
  const empty = path.join(dir, "empty.mjs");
  writeFileSync(empty, "export const handler = async () => ({});\n");
  const reference = median(Array.from({ length: runs }, () => importMs(empty, dir)));

  const rows: (string | number)[][] = [
    [
      "function",
      "zip KB",
      "code KB",
      "import ms (median)",
      "vs empty module",
      "+ AWS composition ms",
      "peak RSS MB",
      "targets",
    ],
  ];
  let ok = true;
  for (const b of built) {
    const fdir = path.join(dir, b.name);
    execFileSync("unzip", ["-q", "-o", b.zip, "-d", fdir]);
    const file = path.join(fdir, "index.mjs");
    const ms = median(Array.from({ length: runs }, () => importMs(file, fdir)));
    // What the first accepted event adds: the chunks index.mjs imports lazily (SDK clients, pipeline).
    const chunks = readdirSync(path.join(fdir, "chunks")).map((f) => path.join(fdir, "chunks", f));
    const full = median(Array.from({ length: runs }, () => importMs(file, fdir, chunks)));
    const rss = await measure(
      process.execPath,
      ["--input-type=module", "-e", `await import(${JSON.stringify(file)})`],
      {
        cwd: fdir,
        env: { PATH: process.env.PATH ?? "", HOTELS_ENV: "dev" },
      },
    );
    const zipKb = statSync(b.zip).size / 1024;
    const pass = zipKb <= ZIP_TARGET_KB && ms <= IMPORT_TARGET_MS;
    ok &&= pass;
    rows.push([
      b.name,
      Math.round(zipKb),
      Math.round(b.bundleBytes / 1024),
      Number(ms.toFixed(1)),
      `${(ms / reference).toFixed(1)}×`,
      Number(full.toFixed(1)),
      Number(rss.peakRssMb.toFixed(0)),
      pass ? "ok" : "MISSED",
    ]);
  }
  rows.push(["(empty module, same run)", 0, 0, Number(reference.toFixed(1)), "1.0×", "", "", ""]);
  report(
    `Lambda bundles: esbuild ESM minified, node22 (${buildSeconds.toFixed(1)} s to build ${built.length}); import in a bare node, median of ${runs}; targets zip ≤ ${ZIP_TARGET_KB} KB, import ≤ ${IMPORT_TARGET_MS} ms`,
    rows,
  );
  if (!ok) process.exitCode = 1;
}
