import type { FeatureSpec } from "@hotels/schema";
import type { Matrix } from "./dataset.ts";

/** A feature spec with every `learned` vocabulary resolved: what is stored with a model and what scoring
 * must reproduce. */
export interface ResolvedFeature {
  readonly name: string;
  readonly column: string;
  readonly kind: "numeric" | "categorical";
  /** Categories in code order (code = index); categorical only. */
  readonly categories?: readonly string[];
}
export interface ResolvedFeatureSpec {
  readonly name: string;
  readonly version: number;
  readonly table: { readonly zone: string; readonly name: string };
  readonly key: string;
  readonly label: string;
  readonly leaking: readonly string[];
  readonly features: readonly ResolvedFeature[];
}

/** What encoding met that was not a plain value: per feature, how many unknown categories became
 * missing (the model's rule for them), with a few examples. */
export interface EncodeReport {
  readonly rows: number;
  readonly unknownCategories: Readonly<
    Record<string, { readonly count: number; readonly examples: readonly string[] }>
  >;
}

/** Learns each `learned` vocabulary from training rows: values by descending frequency (ties by value),
 * capped at `maxCategories`. */
export function resolveFeatureSpec(
  spec: FeatureSpec,
  rows: readonly Record<string, unknown>[],
): ResolvedFeatureSpec {
  return {
    name: spec.name,
    version: spec.version,
    table: { ...spec.table },
    key: spec.key,
    label: spec.label,
    leaking: [...spec.leaking],
    features: spec.features.map((f): ResolvedFeature => {
      if (f.kind === "numeric") return { name: f.name, column: f.column, kind: "numeric" };
      if (f.categories !== "learned")
        return { name: f.name, column: f.column, kind: "categorical", categories: [...f.categories] };
      const counts = new Map<string, number>();
      for (const r of rows) {
        const v = r[f.column];
        if (typeof v === "string") counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      const vocab = [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .slice(0, f.maxCategories ?? Number.POSITIVE_INFINITY)
        .map(([k]) => k);
      return { name: f.name, column: f.column, kind: "categorical", categories: vocab };
    }),
  };
}

/** An input value that is the wrong type for its feature: encoding stops with this error. */
export class FeatureTypeError extends Error {}

/** Encodes rows (objects keyed by column name, as the query engine returns them) into a float32 matrix in
 * feature-spec order. Numbers (and numeric strings such as decimals) pass through; booleans are 1/0;
 * null/undefined is missing (NaN); a category outside the vocabulary is missing too, counted in the report
 * (XGBoost's rule for an unseen value: the split's default direction). Anything else — a non-numeric
 * string in a numeric column, a number in a categorical one, an object — throws naming row, column and value. */
export function encodeFeatures(
  spec: ResolvedFeatureSpec,
  rows: readonly Record<string, unknown>[],
): { readonly matrix: Matrix; readonly report: EncodeReport } {
  const n = rows.length;
  const F = spec.features.length;
  const values = new Float32Array(n * F);
  const unknown: Record<string, { count: number; examples: string[] }> = {};
  spec.features.forEach((f, j) => {
    const base = j * n;
    const col = f.column;
    if (f.kind === "numeric") {
      for (let r = 0; r < n; r++) values[base + r] = numeric(rows[r]![col], r, col);
      return;
    }
    const codes = new Map<string, number>((f.categories ?? []).map((c, i) => [c, i]));
    for (let r = 0; r < n; r++) {
      const v = rows[r]![col];
      if (v === null || v === undefined) {
        values[base + r] = Number.NaN;
        continue;
      }
      if (typeof v !== "string")
        throw new FeatureTypeError(
          `row ${r}: column ${col} is categorical, got ${typeof v} ${JSON.stringify(v)}`,
        );
      const code = codes.get(v);
      if (code === undefined) {
        unknown[f.name] ??= { count: 0, examples: [] };
        const u = unknown[f.name]!;
        u.count++;
        if (u.examples.length < 5 && !u.examples.includes(v)) u.examples.push(v);
        values[base + r] = Number.NaN;
      } else values[base + r] = code;
    }
  });
  return { matrix: { rows: n, cols: F, values }, report: { rows: n, unknownCategories: unknown } };
}

function numeric(v: unknown, r: number, col: string): number {
  if (v === null || v === undefined) return Number.NaN;
  if (typeof v === "number") {
    if (Number.isNaN(v)) throw new FeatureTypeError(`row ${r}: column ${col} is NaN (use null for missing)`);
    return v;
  }
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") {
    const t = v.trim();
    const x = t === "" ? Number.NaN : Number(t);
    if (Number.isFinite(x)) return x;
  }
  throw new FeatureTypeError(`row ${r}: column ${col} is numeric, got ${typeof v} ${JSON.stringify(v)}`);
}

/** Labels as float32 0/1 (booleans, 0/1 numbers, bigint); anything else throws naming the row. */
export function encodeLabels(rows: readonly Record<string, unknown>[], label: string): Float32Array {
  const y = new Float32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const v = rows[r]![label];
    const x = typeof v === "boolean" ? (v ? 1 : 0) : typeof v === "bigint" ? Number(v) : v;
    if (x !== 0 && x !== 1)
      throw new FeatureTypeError(`row ${r}: label ${label} must be 0/1, got ${JSON.stringify(v)}`);
    y[r] = x;
  }
  return y;
}

export type SplitName = "train" | "validation" | "test";
export interface SplitRule {
  /** Fractions of train and validation; the rest is test. Default 0.7 / 0.15 (test 0.15). */
  readonly train: number;
  readonly validation: number;
  /** Salt of the hash, so a different split can be drawn deliberately. Default "split-v1". */
  readonly salt: string;
}
export const defaultSplit: SplitRule = { train: 0.7, validation: 0.15, salt: "split-v1" };

/** Deterministic split of a key: FNV-1a (32 bit) of `salt:key`, mixed by murmur3's finaliser, mapped to [0, 1). The same booking always
 * lands in the same split, whatever the row order or the other rows. */
export function splitOf(key: string | number | bigint, rule: SplitRule = defaultSplit): SplitName {
  const s = `${rule.salt}:${String(key)}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's finaliser: FNV-1a alone barely moves the high bits for keys that differ in their last
  // character, which would put runs of consecutive ids in the same split
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  const u = (h >>> 0) / 4294967296;
  return u < rule.train ? "train" : u < rule.train + rule.validation ? "validation" : "test";
}
