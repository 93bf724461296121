import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Matrix } from "../src/index.ts";

export const PYTHON = process.env.XGBOOST_PYTHON ?? "/usr/bin/python3";
const HELPER = path.join(import.meta.dirname, "xgb_helper.py");

/** Why the real XGBoost cannot run here, or undefined when it can. Under CI it must run: throws. */
export function xgboostUnavailable(): string | undefined {
  const r = spawnSync(PYTHON, ["-c", "import xgboost; print(xgboost.__version__)"], { encoding: "utf8" });
  if (r.status === 0) return undefined;
  const reason = `${PYTHON} cannot import xgboost (${(r.stderr || String(r.error)).trim().split("\n").pop()})`;
  if (process.env.CI) throw new Error(`CI: parity tests need python3-xgboost: ${reason}`);
  console.warn(`skipping XGBoost parity tests: ${reason}`);
  return reason;
}

export const tmp = () => mkdtempSync(path.join(tmpdir(), "hotels-ml-"));

/** Writes a column-major matrix as row-major float32 (numpy's layout). */
export function writeRowMajor(file: string, m: Matrix): void {
  const out = new Float32Array(m.rows * m.cols);
  for (let c = 0; c < m.cols; c++)
    for (let r = 0; r < m.rows; r++) out[r * m.cols + c] = m.values[c * m.rows + r]!;
  writeFileSync(file, out);
}

export function xgbPredict(modelFile: string, m: Matrix): Float32Array {
  const dir = tmp();
  writeRowMajor(path.join(dir, "X.f32"), m);
  execFileSync(PYTHON, [
    HELPER,
    "predict",
    modelFile,
    path.join(dir, "X.f32"),
    String(m.rows),
    String(m.cols),
    path.join(dir, "p.f32"),
  ]);
  const b = readFileSync(path.join(dir, "p.f32"));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

export function xgbTrain(
  params: Record<string, unknown>,
  m: Matrix,
  y: Float32Array,
  rounds: number,
): string {
  const dir = tmp();
  writeRowMajor(path.join(dir, "X.f32"), m);
  writeFileSync(path.join(dir, "y.f32"), y);
  const out = path.join(dir, "model.json");
  execFileSync(PYTHON, [
    HELPER,
    "train",
    JSON.stringify(params),
    path.join(dir, "X.f32"),
    path.join(dir, "y.f32"),
    String(m.rows),
    String(m.cols),
    String(rounds),
    out,
  ]);
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
