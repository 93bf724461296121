/** `pnpm bench train [--rounds N] [--threads N] [--no-single] [--keep]`: this repository's GBDT trainer beside Debian's python3-xgboost
 * 1.7.4 (`tree_method=hist`), same data, split and parameters, in the same run. Data: the real data set's 29
 * non-leaking features, 80/20 random split (seeded). Targets (issue #6): AUC ≥ 0.95, time ≤ 2× XGBoost's,
 * peak RSS ≤ 1 GB. Also both on one thread (`--no-single` skips), a fairer view on a busy machine. */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cancellationFeatures } from "@hotels/schema";
import {
  encodeFeatures,
  encodeLabels,
  readBookingsCsv,
  resolveFeatureSpec,
} from "../../packages/ml/src/index.ts";
import { measure, report } from "./measure.ts";

export async function run(args: string[]): Promise<void> {
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
  };
  const root = path.resolve(import.meta.dirname, "../..");
  const rounds = Number(opt("rounds", "300"));
  const threads = Number(opt("threads", "2"));
  const python = process.env.XGBOOST_PYTHON ?? "/usr/bin/python3";

  // 1. data: encode once, write row-major float32 files both trainers read
  const rows = readBookingsCsv(path.join(root, "data/hotel_bookings.csv.gz"));
  const spec = resolveFeatureSpec(cancellationFeatures, rows);
  let seed = 42;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const isTrain = rows.map(() => rand() < 0.8);
  const part = (train: boolean) => rows.filter((_, i) => isTrain[i] === train);
  const dir = path.join(tmpdir(), `hotels-bench-train-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const write = (name: string, part: Record<string, unknown>[]) => {
    const { matrix } = encodeFeatures(spec, part);
    const rm = new Float32Array(matrix.rows * matrix.cols);
    for (let c = 0; c < matrix.cols; c++)
      for (let r = 0; r < matrix.rows; r++) rm[r * matrix.cols + c] = matrix.values[c * matrix.rows + r]!;
    writeFileSync(path.join(dir, `X_${name}.f32`), rm);
    writeFileSync(path.join(dir, `y_${name}.f32`), encodeLabels(part, "is_canceled"));
    return matrix.rows;
  };
  const nTrain = write("train", part(true));
  const nTest = write("test", part(false));
  writeFileSync(
    path.join(dir, "meta.json"),
    JSON.stringify({ cols: spec.features.length, train: nTrain, test: nTest }),
  );
  console.log(
    `data: ${rows.length} rows, ${spec.features.length} features; train ${nTrain}, test ${nTest}; ${rounds} rounds`,
  );

  const params = { max_depth: 8, eta: 0.1, max_bin: 256, num_round: rounds, objective: "binary:logistic" };
  const runXgb = (nthread: number) =>
    measure(python, [
      path.join(root, "packages/ml/bench/xgb_train.py"),
      dir,
      JSON.stringify({ ...params, tree_method: "hist", nthread }),
    ]);
  const runOurs = (nthread: number) =>
    measure(process.execPath, [
      "--import",
      "tsx",
      path.join(root, "packages/ml/bench/train-child.ts"),
      dir,
      JSON.stringify({ ...params, nthread }),
    ]);
  const parse = (m: { stdout: string }) =>
    JSON.parse(m.stdout.trim().split("\n").pop()!) as { auc: number; seconds: number };
  // 2. the reference, then ours, each in its own process (time and peak RSS); then both on one thread,
  // which is less sensitive to a busy machine (OpenMP barriers suffer most from oversubscription)
  const xgb = await runXgb(threads);
  const ours = await runOurs(threads);
  const x = parse(xgb);
  const o = parse(ours);
  const table: (string | number)[][] = [
    ["", "AUC", "train s", "process s", "peak RSS MB"],
    [`xgboost 1.7.4, ${threads} threads`, x.auc.toFixed(4), x.seconds, xgb.seconds, xgb.peakRssMb],
    [`@hotels/ml, ${threads} threads`, o.auc.toFixed(4), o.seconds, ours.seconds, ours.peakRssMb],
    [
      "ratio (ours / xgboost)",
      (o.auc / x.auc).toFixed(4),
      o.seconds / x.seconds,
      ours.seconds / xgb.seconds,
      ours.peakRssMb / xgb.peakRssMb,
    ],
  ];
  if (!args.includes("--no-single") && threads > 1) {
    const xgb1 = await runXgb(1);
    const ours1 = await runOurs(1);
    const x1 = parse(xgb1);
    const o1 = parse(ours1);
    table.push(
      ["xgboost 1.7.4, 1 thread", x1.auc.toFixed(4), x1.seconds, xgb1.seconds, xgb1.peakRssMb],
      ["@hotels/ml, 1 thread", o1.auc.toFixed(4), o1.seconds, ours1.seconds, ours1.peakRssMb],
      [
        "ratio, 1 thread",
        (o1.auc / x1.auc).toFixed(4),
        o1.seconds / x1.seconds,
        ours1.seconds / xgb1.seconds,
        ours1.peakRssMb / xgb1.peakRssMb,
      ],
    );
  }
  report("train: this trainer vs python3-xgboost 1.7.4 (hist), max_depth=8 eta=0.1 max_bin=256", table);
  if (!args.includes("--keep")) rmSync(dir, { recursive: true, force: true });
  else console.log(`matrices kept in ${dir} (packages/ml/bench/ab.ts reads them)`);
  const ok = o.auc >= 0.95 && o.seconds <= 2 * x.seconds && ours.peakRssMb <= 1024;
  console.log(
    `targets (${threads} threads): AUC ≥ 0.95 ${o.auc >= 0.95 ? "met" : "MISSED"}; time ≤ 2× ${o.seconds <= 2 * x.seconds ? "met" : "MISSED"}; RSS ≤ 1 GB ${ours.peakRssMb <= 1024 ? "met" : "MISSED"} → ${ok ? "all met" : "not all met"}`,
  );
}
