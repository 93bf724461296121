import type { Booster } from "./booster.ts";
import { auc, logLoss, rmse, sortedOrder } from "./metrics.ts";

export interface CurvePoint {
  readonly x: number;
  readonly y: number;
  readonly threshold: number;
}
export interface CalibrationBin {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
  readonly meanPredicted: number;
  readonly observedRate: number;
}
export interface FeatureImportance {
  readonly feature: string;
  /** Splits on the feature (XGBoost's `weight`). */
  readonly weight: number;
  /** Mean loss reduction of those splits (XGBoost's `gain`). */
  readonly gain: number;
  readonly totalGain: number;
  /** Mean hessian sum of the nodes split (XGBoost's `cover`). */
  readonly cover: number;
}
export interface ClassificationMetrics {
  readonly rows: number;
  readonly positives: number;
  readonly auc: number;
  readonly logLoss: number;
  readonly threshold: number;
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly confusion: { readonly tp: number; readonly fp: number; readonly tn: number; readonly fn: number };
  readonly calibration: readonly CalibrationBin[];
  /** ROC curve: x = false-positive rate, y = true-positive rate (≤ ~200 points). */
  readonly roc: readonly CurvePoint[];
  /** Precision–recall curve: x = recall, y = precision (≤ ~200 points). */
  readonly pr: readonly CurvePoint[];
}

/** Classification metrics of probabilities against 0/1 labels, at a decision threshold. */
export function evaluateClassifier(
  labels: ArrayLike<number>,
  probs: ArrayLike<number>,
  options: { readonly threshold?: number; readonly calibrationBins?: number } = {},
): ClassificationMetrics {
  const threshold = options.threshold ?? 0.5;
  const n = labels.length;
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]! > 0.5;
    const p = probs[i]! >= threshold;
    if (p && y) tp++;
    else if (p) fp++;
    else if (y) fn++;
    else tn++;
  }
  const pos = tp + fn;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = pos === 0 ? 0 : tp / pos;
  const k = options.calibrationBins ?? 10;
  const cal = Array.from({ length: k }, (_, b) => ({
    lo: b / k,
    hi: (b + 1) / k,
    count: 0,
    sumP: 0,
    sumY: 0,
  }));
  for (let i = 0; i < n; i++) {
    const b = Math.min(k - 1, Math.floor(probs[i]! * k));
    const c = cal[b]!;
    c.count++;
    c.sumP += probs[i]!;
    c.sumY += labels[i]!;
  }
  const { roc, pr } = curves(labels, probs);
  return {
    rows: n,
    positives: pos,
    auc: auc(labels, probs),
    logLoss: logLoss(labels, probs),
    threshold,
    accuracy: n === 0 ? 0 : (tp + tn) / n,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    confusion: { tp, fp, tn, fn },
    calibration: cal.map((c) => ({
      lo: c.lo,
      hi: c.hi,
      count: c.count,
      meanPredicted: c.count ? c.sumP / c.count : 0,
      observedRate: c.count ? c.sumY / c.count : 0,
    })),
    roc,
    pr,
  };
}

/** ROC and PR curves, one point per distinct score (descending), thinned to about 200 points. */
function curves(labels: ArrayLike<number>, probs: ArrayLike<number>) {
  const order = sortedOrder(probs).reverse();
  const n = order.length;
  let P = 0;
  for (let i = 0; i < n; i++) if (labels[i]! > 0.5) P++;
  const N = n - P;
  const roc: CurvePoint[] = [{ x: 0, y: 0, threshold: 1 }];
  const pr: CurvePoint[] = [];
  let tp = 0;
  let fp = 0;
  const step = Math.max(1, Math.floor(n / 200));
  let lastEmit = 0;
  for (let i = 0; i < n; ) {
    const s = probs[order[i]!]!;
    while (i < n && probs[order[i]!]! === s) {
      if (labels[order[i]!]! > 0.5) tp++;
      else fp++;
      i++;
    }
    if (i - lastEmit >= step || i === n) {
      lastEmit = i;
      roc.push({ x: N ? fp / N : 0, y: P ? tp / P : 0, threshold: s });
      pr.push({ x: P ? tp / P : 0, y: tp / (tp + fp), threshold: s });
    }
  }
  return { roc, pr };
}

export interface RegressionMetrics {
  readonly rows: number;
  readonly rmse: number;
  readonly mae: number;
}
export function evaluateRegressor(labels: ArrayLike<number>, preds: ArrayLike<number>): RegressionMetrics {
  let mae = 0;
  for (let i = 0; i < labels.length; i++) mae += Math.abs(preds[i]! - labels[i]!);
  return { rows: labels.length, rmse: rmse(labels, preds), mae: labels.length ? mae / labels.length : 0 };
}

/** Feature importance over all split nodes, as XGBoost's `get_score` (weight, gain, cover), by total gain. */
export function featureImportance(b: Booster): FeatureImportance[] {
  const F = b.numFeature;
  const weight = new Float64Array(F);
  const gain = new Float64Array(F);
  const cover = new Float64Array(F);
  for (const t of b.trees)
    for (let k = 0; k < t.left.length; k++) {
      if (t.left[k] === -1) continue;
      const f = t.feature[k]!;
      weight[f]!++;
      gain[f]! += t.lossChg[k]!;
      cover[f]! += t.sumHess[k]!;
    }
  return Array.from({ length: F }, (_, f) => ({
    feature: b.featureNames[f] ?? `f${f}`,
    weight: weight[f]!,
    gain: weight[f] ? gain[f]! / weight[f]! : 0,
    totalGain: gain[f]!,
    cover: weight[f] ? cover[f]! / weight[f]! : 0,
  })).sort((a, c) => c.totalGain - a.totalGain);
}
