import type { EvalMetric } from "./params.ts";

/** Area under the ROC curve (ties averaged, as the Mann–Whitney statistic). NaN when one class is absent. */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  const order = sortedOrder(scores);
  let pos = 0;
  for (let i = 0; i < n; i++) if (labels[i]! > 0.5) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  // sum of ranks of positives, averaging tied ranks
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    const s = scores[order[i]!]!;
    while (j < n && scores[order[j]!]! === s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (labels[order[k]!]! > 0.5) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Indices sorted by ascending score. */
export function sortedOrder(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const s = Float64Array.from(scores as ArrayLike<number>);
  return order.sort((a, b) => s[a]! - s[b]!);
}

/** Mean binary cross-entropy, probabilities clipped to [1e-15, 1 − 1e-15]. */
export function logLoss(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  let s = 0;
  const eps = 1e-15;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probs[i]!));
    s += labels[i]! > 0.5 ? -Math.log(p) : -Math.log(1 - p);
  }
  return s / labels.length;
}

export function rmse(labels: ArrayLike<number>, preds: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += (preds[i]! - labels[i]!) ** 2;
  return Math.sqrt(s / labels.length);
}

export function metricHigherIsBetter(m: EvalMetric | string): boolean {
  return m === "auc" || m === "accuracy" || m === "f1" || m === "precision" || m === "recall";
}

/** A validation metric from margins (for the per-round early-stopping watch). */
export function evalMetric(
  metric: EvalMetric,
  labels: Float32Array,
  margins: Float32Array,
  logistic: boolean,
): number {
  const preds = logistic ? margins.map((x) => 1 / (1 + Math.exp(-x))) : margins;
  switch (metric) {
    case "auc":
      return auc(labels, preds);
    case "logloss":
      return logLoss(labels, preds);
    case "rmse":
      return rmse(labels, preds);
    case "error": {
      let wrong = 0;
      for (let i = 0; i < labels.length; i++) if ((preds[i]! > 0.5 ? 1 : 0) !== labels[i]) wrong++;
      return wrong / labels.length;
    }
  }
}
