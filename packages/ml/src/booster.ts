import type { Objective } from "./params.ts";

/** One regression tree in XGBoost's array form. Node 0 is the root; a leaf has `left[n] === -1` and its
 * value (already scaled by eta) in `cond[n]`, as XGBoost stores it in `split_conditions`. */
export interface Tree {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly parent: Int32Array;
  readonly feature: Int32Array;
  /** Split threshold (go left when `x < cond`, float32) or the leaf value. */
  readonly cond: Float32Array;
  readonly defaultLeft: Uint8Array;
  readonly baseWeight: Float32Array;
  readonly lossChg: Float32Array;
  readonly sumHess: Float32Array;
}

/** A trained gradient-boosted model: what the XGBoost 1.7 JSON format holds. */
export interface Booster {
  readonly objective: Objective;
  /** The initial prediction as given (a probability for binary:logistic). */
  readonly baseScore: number;
  readonly numFeature: number;
  readonly featureNames: readonly string[];
  /** XGBoost feature types (`float`, `int`, `q`, `i`); empty when unknown. */
  readonly featureTypes: readonly string[];
  readonly trees: readonly Tree[];
  /** XGBoost learner attributes (e.g. best_iteration), all strings. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Number of nodes of a tree. */
export const treeSize = (t: Tree): number => t.left.length;
