import type { Booster } from "./booster.ts";
import type { Matrix } from "./dataset.ts";

/** The margin of the initial prediction: logit(base_score) for binary:logistic, as XGBoost 1.7 (float32). */
export function baseMargin(b: Pick<Booster, "objective" | "baseScore">): number {
  return b.objective === "binary:logistic"
    ? Math.fround(-Math.log(1 / b.baseScore - 1))
    : Math.fround(b.baseScore);
}

/** Float32 logistic, as XGBoost computes it. */
export const sigmoid = (x: number): number => Math.fround(1 / (1 + Math.exp(-x)));

/** Raw scores (margins), accumulated tree by tree in float32 exactly as XGBoost's CPU predictor does.
 * `x < cond` is compared in float32 (the matrix is float32); a missing value (NaN) takes the node's
 * default direction. */
export function predictMargin(b: Booster, m: Matrix, ntrees = b.trees.length): Float32Array {
  if (m.cols < b.numFeature)
    throw new Error(`the model expects ${b.numFeature} features, the matrix has ${m.cols} columns`);
  const out = new Float32Array(m.rows).fill(baseMargin(b));
  const n = m.rows;
  const x = m.values;
  for (let t = 0; t < ntrees; t++) {
    const { left, right, feature, cond, defaultLeft } = b.trees[t]!;
    for (let r = 0; r < n; r++) {
      let node = 0;
      while (left[node] !== -1) {
        const v = x[feature[node]! * n + r]!;
        node = Number.isNaN(v)
          ? defaultLeft[node]
            ? left[node]!
            : right[node]!
          : v < cond[node]!
            ? left[node]!
            : right[node]!;
      }
      out[r]! += cond[node]!;
    }
  }
  return out;
}

/** Predictions on the objective's scale: probabilities for binary:logistic, values for regression. */
export function predict(b: Booster, m: Matrix, ntrees?: number): Float32Array {
  const margin = predictMargin(b, m, ntrees);
  if (b.objective === "binary:logistic")
    for (let i = 0; i < margin.length; i++) margin[i] = sigmoid(margin[i]!);
  return margin;
}
