/* Benchmark child: trains this package's GBDT on matrices written by scripts/bench/train.ts and prints one
 * JSON line (AUC on the test split, training seconds). Run in its own process so its RSS is measured alone. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { auc, predict, train } from "../src/index.ts";

const [dir, paramsJson] = process.argv.slice(2);
if (!dir) throw new Error("usage: train-child.ts <dir> [params-json]");
const meta = JSON.parse(readFileSync(path.join(dir, "meta.json"), "utf8")) as {
  cols: number;
  train: number;
  test: number;
};
const f32 = (name: string) => {
  const b = readFileSync(path.join(dir, name));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
// the files are row-major (numpy's default); the trainer wants column-major
const colMajor = (rowMajor: Float32Array, rows: number, cols: number) => {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = rowMajor[r * cols + c]!;
  return out;
};
const params = JSON.parse(paramsJson ?? "{}") as Record<string, unknown>;
const Xtr = colMajor(f32("X_train.f32"), meta.train, meta.cols);
const Xte = colMajor(f32("X_test.f32"), meta.test, meta.cols);
const t0 = performance.now();
const res = await train(
  { rows: meta.train, cols: meta.cols, values: Xtr, labels: f32("y_train.f32") },
  { params },
);
const seconds = (performance.now() - t0) / 1000;
const p = predict(res.booster, { rows: meta.test, cols: meta.cols, values: Xte });
console.log(JSON.stringify({ auc: auc(f32("y_test.f32"), p), seconds, trees: res.booster.trees.length }));
