import { cancellationFeatures, type FeatureSpec } from "@hotels/schema";

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The SQL expression giving a feature's number: numeric as is; categorical as its index in the closed
 * (or learned) vocabulary, NULL (missing) otherwise — the same encoding the local trainer uses. */
function encode(f: FeatureSpec["features"][number], learned: Readonly<Record<string, readonly string[]>>) {
  if (f.kind === "numeric") return `CAST(${f.column} AS DOUBLE)`;
  const cats = f.categories === "learned" ? (learned[f.name] ?? []) : f.categories;
  if (cats.length === 0) return "CAST(NULL AS DOUBLE)";
  return `CASE ${f.column} ${cats.map((c, i) => `WHEN ${quote(c)} THEN ${i}`).join(" ")} ELSE NULL END`;
}

/** The query learning a `learned` categorical's vocabulary (descending frequency, capped). */
export function vocabularySql(feature: string, spec: FeatureSpec = cancellationFeatures): string {
  const f = spec.features.find((x) => x.name === feature);
  if (f?.kind !== "categorical") throw new Error(`${feature} is not a categorical feature of ${spec.name}`);
  const t = `${spec.table.zone}.${spec.table.name}`;
  return `SELECT ${f.column} AS v FROM ${t} WHERE ${f.column} IS NOT NULL GROUP BY ${f.column} ORDER BY count(*) DESC, ${f.column} LIMIT ${f.maxCategories ?? 64}`;
}

/** Deterministic split on the key: ~85% train, ~15% validation (recorded with the model). */
export const SPLIT_SQL = {
  train: (key: string) => `mod(${key}, 20) < 17`,
  validation: (key: string) => `mod(${key}, 20) >= 17`,
} as const;

/** A feature as CSV text: UNLOAD's TEXTFILE writes SQL NULL as `\N`, which SageMaker's XGBoost would not
 * read as missing; an empty field is XGBoost's missing value. */
const csvText = (expr: string) => `COALESCE(CAST(${expr} AS VARCHAR), '')`;

/** `SELECT label, f1..f29` (training: label first, no header, as SageMaker's XGBoost CSV wants) or
 * `SELECT key, f1..f29` (scoring: the key rides along and is filtered out by the transform job); a missing
 * feature is an empty field. */
export function featureSelectSql(
  mode: "train" | "validation" | "score",
  learned: Readonly<Record<string, readonly string[]>>,
  spec: FeatureSpec = cancellationFeatures,
): string {
  const first = mode === "score" ? spec.key : `CAST(${spec.label} AS DOUBLE)`;
  const cols = [first, ...spec.features.map((f) => csvText(encode(f, learned)))];
  const where = mode === "score" ? "" : ` WHERE ${SPLIT_SQL[mode](spec.key)}`;
  return `SELECT ${cols.join(", ")} FROM ${spec.table.zone}.${spec.table.name}${where}`;
}

/** Athena UNLOAD of a feature query as headerless CSV under `s3Prefix`. */
export function unloadSql(select: string, s3Prefix: string): string {
  return `UNLOAD (${select}) TO ${quote(s3Prefix)} WITH (format = 'TEXTFILE', field_delimiter = ',', compression = 'NONE')`;
}
