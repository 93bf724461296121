/** Booster parameters, named and defaulted as XGBoost 1.7 names and defaults them, so that a model trained
 * here and one trained by SageMaker's built-in XGBoost from the same parameters mean the same thing. */
export type Objective = "binary:logistic" | "reg:squarederror";
export type EvalMetric = "logloss" | "auc" | "rmse" | "error";

export interface TrainParams {
  /** Loss to minimise. Default `binary:logistic`. */
  readonly objective: Objective;
  /** Maximum tree depth. Default 6. */
  readonly max_depth: number;
  /** Learning rate (shrinkage of each tree's leaf values). Default 0.3. */
  readonly eta: number;
  /** Minimum hessian sum in a child. Default 1. */
  readonly min_child_weight: number;
  /** L2 regularisation of leaf weights. Default 1. */
  readonly lambda: number;
  /** L1 regularisation of leaf weights. Default 0. */
  readonly alpha: number;
  /** Minimum loss reduction to keep a split (applied by pruning, as XGBoost's `prune` updater). Default 0. */
  readonly gamma: number;
  /** Row sampling rate per tree. Default 1. */
  readonly subsample: number;
  /** Feature sampling rate per tree. Default 1. */
  readonly colsample_bytree: number;
  /** Maximum number of histogram bins per feature. Default 256. */
  readonly max_bin: number;
  /** Boosting rounds. Default 100 (SageMaker requires it explicitly; XGBoost's Python default is 10). */
  readonly num_round: number;
  /** Initial prediction (a probability for `binary:logistic`). Default 0.5, as XGBoost 1.7. */
  readonly base_score: number;
  /** Stop when the validation metric has not improved for this many rounds; 0 = never. Default 0. */
  readonly early_stopping_rounds: number;
  /** Metric watched on the validation set. Default `logloss` (logistic) / `rmse` (regression). */
  readonly eval_metric: EvalMetric;
  /** Seed of row and feature sampling. Default 0. */
  readonly seed: number;
  /** Threads used to build histograms (1 = no worker). Default: 2 (capped by the machine's cores). */
  readonly nthread: number;
}

export const defaultParams: TrainParams = {
  objective: "binary:logistic",
  max_depth: 6,
  eta: 0.3,
  min_child_weight: 1,
  lambda: 1,
  alpha: 0,
  gamma: 0,
  subsample: 1,
  colsample_bytree: 1,
  max_bin: 256,
  num_round: 100,
  base_score: 0.5,
  early_stopping_rounds: 0,
  eval_metric: "logloss",
  seed: 0,
  nthread: 2,
};

const ALIASES: Record<string, keyof TrainParams> = {
  learning_rate: "eta",
  reg_lambda: "lambda",
  reg_alpha: "alpha",
  min_split_loss: "gamma",
  n_estimators: "num_round",
  num_boost_round: "num_round",
  random_state: "seed",
  n_jobs: "nthread",
};

const bounds: Record<string, readonly [number, number, boolean]> = {
  // [min, max, integer]
  max_depth: [1, 30, true],
  eta: [0, 1, false],
  min_child_weight: [0, Number.MAX_VALUE, false],
  lambda: [0, Number.MAX_VALUE, false],
  alpha: [0, Number.MAX_VALUE, false],
  gamma: [0, Number.MAX_VALUE, false],
  subsample: [Number.MIN_VALUE, 1, false],
  colsample_bytree: [Number.MIN_VALUE, 1, false],
  max_bin: [2, 65534, true],
  num_round: [1, 100_000, true],
  base_score: [-Number.MAX_VALUE, Number.MAX_VALUE, false],
  early_stopping_rounds: [0, 100_000, true],
  seed: [0, 2 ** 32 - 1, true],
  nthread: [1, 64, true],
};

/** Merges partial parameters over the defaults and checks every value; throws naming the parameter. */
export function resolveParams(partial: Partial<Record<string, unknown>> = {}): TrainParams {
  const out: Record<string, unknown> = { ...defaultParams };
  let metricGiven = false;
  for (const [rawKey, rawValue] of Object.entries(partial)) {
    if (rawValue === undefined) continue;
    const key = ALIASES[rawKey] ?? rawKey;
    if (!(key in defaultParams)) {
      throw new Error(
        `unknown training parameter "${rawKey}" (known: ${Object.keys(defaultParams).join(", ")})`,
      );
    }
    if (key === "objective") {
      if (rawValue !== "binary:logistic" && rawValue !== "reg:squarederror")
        throw new Error(`objective must be binary:logistic or reg:squarederror, got "${String(rawValue)}"`);
      out[key] = rawValue;
    } else if (key === "eval_metric") {
      if (!["logloss", "auc", "rmse", "error"].includes(String(rawValue)))
        throw new Error(`eval_metric must be logloss, auc, rmse or error, got "${String(rawValue)}"`);
      out[key] = rawValue;
      metricGiven = true;
    } else {
      const v = typeof rawValue === "number" ? rawValue : Number(String(rawValue).trim());
      const b = bounds[key]!;
      if (
        String(rawValue).trim() === "" ||
        !Number.isFinite(v) ||
        v < b[0] ||
        v > b[1] ||
        (b[2] && !Number.isInteger(v))
      )
        throw new Error(
          `parameter ${rawKey}=${String(rawValue)} is invalid: expected ${b[2] ? "an integer" : "a number"} in [${b[0]}, ${b[1]}]`,
        );
      out[key] = v;
    }
  }
  if (!metricGiven) out.eval_metric = out.objective === "binary:logistic" ? "logloss" : "rmse";
  const p = out as unknown as TrainParams;
  if (p.objective === "binary:logistic" && !(p.base_score > 0 && p.base_score < 1))
    throw new Error(`base_score must be in (0, 1) for binary:logistic, got ${p.base_score}`);
  return p;
}

/** Parses `k=v` strings (the CLI's repeated `--param`). */
export function parseParamPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new Error(`--param expects k=v, got "${pair}"`);
    out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}
