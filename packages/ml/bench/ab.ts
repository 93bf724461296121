/* A/B harness: CPU time of two trainer builds (copies of src/ elsewhere), interleaved in one process so a
 * noisy machine weighs on both alike. Matrices come from a `pnpm bench train` run:
 *   [AB_PAIRS=3] node --import tsx packages/ml/bench/ab.ts /tmp/hotels-bench-train-<pid> <a/index.ts> <b/index.ts> [rounds] [threadsA] [threadsB]
 * Prints CPU and wall per run, then minimum CPU and minimum / median wall of each build. */
import { readFileSync } from "node:fs";
import path from "node:path";

const [dir, aPath, bPath, roundsArg, threadsArg, threadsBArg] = process.argv.slice(2);
const A = await import(aPath!);
const B = await import(bPath!);
const meta = JSON.parse(readFileSync(path.join(dir!, "meta.json"), "utf8"));
const f32 = (n: string) => {
  const b = readFileSync(path.join(dir!, n));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const rm = f32("X_train.f32");
const X = new Float32Array(rm.length);
for (let r = 0; r < meta.train; r++)
  for (let c = 0; c < meta.cols; c++) X[c * meta.train + r] = rm[r * meta.cols + c]!;
const data = { rows: meta.train, cols: meta.cols, values: X, labels: f32("y_train.f32") };
const params = {
  max_depth: 8,
  eta: 0.1,
  num_round: Number(roundsArg ?? 30),
  nthread: Number(threadsArg ?? 1),
};
const threadsB = Number(threadsBArg ?? threadsArg ?? 1);
const res: Record<string, number[]> = { A: [], B: [] };
const wall: Record<string, number[]> = { A: [], B: [] };
const pairs = Number(process.env.AB_PAIRS ?? 3);
for (let i = 0; i < pairs; i++)
  for (const [k, M] of [
    ["A", A],
    ["B", B],
  ] as const) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await M.train(data, { params: k === "B" ? { ...params, nthread: threadsB } : params });
    const c = process.cpuUsage(c0);
    res[k]!.push(c.user / 1e6);
    wall[k]!.push((performance.now() - t0) / 1000);
    console.log(k, "cpu", (c.user / 1e6).toFixed(2), "wall", ((performance.now() - t0) / 1000).toFixed(2));
  }
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!;
console.log("min cpu A", Math.min(...res.A!).toFixed(2), "B", Math.min(...res.B!).toFixed(2));
console.log(
  "wall min A",
  Math.min(...wall.A!).toFixed(2),
  "B",
  Math.min(...wall.B!).toFixed(2),
  "median A",
  med(wall.A!).toFixed(2),
  "B",
  med(wall.B!).toFixed(2),
);
