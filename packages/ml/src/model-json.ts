import type { Booster, Tree } from "./booster.ts";
import type { Objective } from "./params.ts";

/** XGBoost version written into models; SageMaker's built-in XGBoost 1.7-1 runs 1.7.x. */
export const XGBOOST_VERSION = [1, 7, 4] as const;

/** Shortest decimal text that reads back as the same float32 (XGBoost writes floats this way). */
export function f32Text(v: number): string {
  const x = Math.fround(v);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x === 0 && 1 / x < 0 ? "-0.0" : `${x}.0`;
  for (let p = 6; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

/** `base_score` as XGBoost 1.7 writes it: a string such as "5E-1". */
export function baseScoreText(v: number): string {
  const s = Number(f32Text(v)).toExponential();
  return s.replace("e+", "E").replace("e", "E");
}

const ints = (a: ArrayLike<number>) => `[${Array.prototype.join.call(a, ",")}]`;
const floats = (a: ArrayLike<number>) => {
  const out: string[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f32Text(a[i]!);
  return `[${out.join(",")}]`;
};

function treeJson(t: Tree, id: number, numFeature: number): string {
  const n = t.left.length;
  const zeros = ints(new Uint8Array(n));
  return (
    `{"base_weights":${floats(t.baseWeight)},"categories":[],"categories_nodes":[],"categories_segments":[],` +
    `"categories_sizes":[],"default_left":${ints(t.defaultLeft)},"id":${id},"left_children":${ints(t.left)},` +
    `"loss_changes":${floats(t.lossChg)},"parents":${ints(t.parent)},"right_children":${ints(t.right)},` +
    `"split_conditions":${floats(t.cond)},"split_indices":${ints(t.feature)},"split_type":${zeros},` +
    `"sum_hessian":${floats(t.sumHess)},"tree_param":{"num_deleted":"0","num_feature":"${numFeature}",` +
    `"num_nodes":"${n}","size_leaf_vector":"0"}}`
  );
}

/** The model as XGBoost 1.7's JSON model format (`Booster.save_model("….json")`), the format SageMaker's
 * built-in XGBoost 1.7-1 container loads. `featureNames: false` leaves the names out: XGBoost refuses to
 * score a nameless DMatrix (what SageMaker builds from CSV) with a model that carries names. */
export function toXgboostJson(b: Booster, options: { readonly featureNames?: boolean } = {}): string {
  const names = options.featureNames ?? true;
  const learner = {
    attributes: b.attributes,
    ...(names ? { feature_names: b.featureNames, feature_types: b.featureTypes } : {}),
    learner_model_param: {
      base_score: baseScoreText(b.baseScore),
      boost_from_average: "0",
      num_class: "0",
      num_feature: String(b.numFeature),
      num_target: "1",
    },
    objective: { name: b.objective, reg_loss_param: { scale_pos_weight: "1" } },
  };
  const trees = b.trees.map((t, i) => treeJson(t, i, b.numFeature)).join(",");
  const booster =
    `{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"${b.trees.length}",` +
    `"size_leaf_vector":"0"},"tree_info":${ints(new Uint8Array(b.trees.length))},"trees":[${trees}]},"name":"gbtree"}`;
  const head = JSON.stringify(learner);
  // insert gradient_booster as the learner's 4th key (XGBoost's key order), keeping the trees' float text
  const learnerText = head.replace(
    /,"learner_model_param":/,
    `,"gradient_booster":${booster},"learner_model_param":`,
  );
  return `{"learner":${learnerText},"version":${JSON.stringify(XGBOOST_VERSION)}}`;
}

/** A model file that this package cannot score, with the reason. */
export class UnsupportedModelError extends Error {}

const SUPPORTED: readonly Objective[] = ["binary:logistic", "reg:squarederror"];

/** Reads an XGBoost JSON model (1.x/2.x layout, gbtree, one target). Categorical splits, multi-class and
 * other objectives are refused with the reason. */
export function fromXgboostJson(text: string | Uint8Array): Booster {
  const doc = JSON.parse(typeof text === "string" ? text : new TextDecoder().decode(text)) as XgbDoc;
  const l = doc?.learner;
  if (!l?.gradient_booster || !l.learner_model_param || !l.objective)
    throw new UnsupportedModelError(
      "not an XGBoost JSON model: learner.gradient_booster/learner_model_param/objective missing",
    );
  const objective = l.objective.name as Objective;
  if (!SUPPORTED.includes(objective))
    throw new UnsupportedModelError(
      `objective ${l.objective.name} is not supported (supported: ${SUPPORTED.join(", ")})`,
    );
  const gb = l.gradient_booster;
  if (gb.name !== "gbtree")
    throw new UnsupportedModelError(`booster ${gb.name} is not supported (gbtree only)`);
  const mp = l.learner_model_param;
  if (Number(mp.num_class ?? 0) > 1 || Number(mp.num_target ?? 1) > 1)
    throw new UnsupportedModelError("multi-class / multi-target models are not supported");
  const model = gb.model;
  if (Number(model.gbtree_model_param?.num_parallel_tree ?? 1) !== 1)
    throw new UnsupportedModelError("num_parallel_tree > 1 is not supported");
  const numFeature = Number(mp.num_feature);
  const trees = model.trees.map((t, i): Tree => {
    const n = t.left_children.length;
    for (const k of [
      "right_children",
      "parents",
      "split_indices",
      "split_conditions",
      "default_left",
    ] as const)
      if (t[k].length !== n)
        throw new UnsupportedModelError(`tree ${i}: ${k} has ${t[k].length} entries, expected ${n}`);
    if (t.split_type?.some((x: number) => x !== 0))
      throw new UnsupportedModelError(`tree ${i} has categorical splits, which this scorer does not support`);
    const left = Int32Array.from(t.left_children);
    const right = Int32Array.from(t.right_children);
    const feature = Int32Array.from(t.split_indices);
    for (let k = 0; k < n; k++) {
      if (left[k]! !== -1 && (left[k]! <= 0 || left[k]! >= n || right[k]! <= 0 || right[k]! >= n))
        throw new UnsupportedModelError(`tree ${i} node ${k}: child index out of range`);
      if (left[k]! !== -1 && (feature[k]! < 0 || feature[k]! >= numFeature))
        throw new UnsupportedModelError(`tree ${i} node ${k}: split feature ${feature[k]} out of range`);
    }
    return {
      left,
      right,
      parent: Int32Array.from(t.parents),
      feature,
      cond: Float32Array.from(t.split_conditions),
      defaultLeft: Uint8Array.from(t.default_left),
      baseWeight: Float32Array.from(t.base_weights ?? new Array(n).fill(0)),
      lossChg: Float32Array.from(t.loss_changes ?? new Array(n).fill(0)),
      sumHess: Float32Array.from(t.sum_hessian ?? new Array(n).fill(0)),
    };
  });
  return {
    objective,
    baseScore: Number(mp.base_score),
    numFeature,
    featureNames: l.feature_names ?? [],
    featureTypes: l.feature_types ?? [],
    trees,
    attributes: l.attributes ?? {},
  };
}

interface XgbTree {
  left_children: number[];
  right_children: number[];
  parents: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: number[];
  split_type?: number[];
  base_weights?: number[];
  loss_changes?: number[];
  sum_hessian?: number[];
}
interface XgbDoc {
  learner?: {
    attributes?: Record<string, string>;
    feature_names?: string[];
    feature_types?: string[];
    gradient_booster?: {
      name: string;
      model: { gbtree_model_param?: { num_parallel_tree?: string }; trees: XgbTree[] };
    };
    learner_model_param?: {
      base_score: string;
      num_class?: string;
      num_feature: string;
      num_target?: string;
    };
    objective?: { name: string };
  };
}
