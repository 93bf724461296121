import {
  allColumns,
  bookingPredictions,
  cancellationFeatures,
  curatedBookings,
  type FeatureSpec,
  glueType,
  type TableDef,
} from "@hotels/schema";

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const qualified = (t: TableDef) => `${t.zone}.${t.name}`;

/** The transform output's external table: a name Athena accepts (lower-case letters, digits, `_`), unique
 * per transform job, in the predictions database (dropped once its rows are inserted). */
export function transformTableName(jobName: string): string {
  return `transform_${jobName.toLowerCase().replace(/[^a-z0-9]+/g, "_")}`.slice(0, 128);
}

/** `CREATE EXTERNAL TABLE` over a transform job's output: headerless CSV lines `key,probability` (the
 * transform job's `OutputFilter` `$[0,-1]`), column types from the predictions table's schema. */
export function transformOutputTableSql(
  table: string,
  location: string,
  spec: FeatureSpec = cancellationFeatures,
  target: TableDef = bookingPredictions,
): string {
  const col = (name: string) => {
    const c = allColumns(target).find((x) => x.name === name);
    if (!c) throw new Error(`${qualified(target)} has no column ${name}`);
    return `\`${name}\` ${glueType(c.type)}`;
  };
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${target.zone}.${table} (${col(spec.key)}, ${col("probability")})`,
    "ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n'",
    "STORED AS TEXTFILE",
    `LOCATION ${quote(location)}`,
  ].join("\n");
}

export interface PredictionsInsert {
  /** The transform output's external table (in the predictions database). */
  readonly transformTable: string;
  readonly modelName: string;
  readonly modelVersion: string;
  /** `predicted_label` = probability ≥ threshold. */
  readonly threshold: number;
  readonly scoredAt: Date;
}

/** Athena timestamp literal (millisecond precision, UTC). */
const timestamp = (d: Date) => `TIMESTAMP ${quote(d.toISOString().replace("T", " ").replace("Z", ""))}`;

/** `INSERT INTO predictions.booking_cancellations SELECT …` joining the transform output back to
 * curated.bookings. The column list is the table's (data columns, then the partition columns, as Hive
 * INSERT wants them); a column the schema gains without an expression here fails loudly. */
export function insertPredictionsSql(
  o: PredictionsInsert,
  target: TableDef = bookingPredictions,
  source: TableDef = curatedBookings,
  spec: FeatureSpec = cancellationFeatures,
): string {
  if (!(o.threshold >= 0 && o.threshold <= 1)) throw new Error(`threshold ${o.threshold} is not in [0, 1]`);
  const fromBookings = new Set(allColumns(source).map((c) => c.name));
  const computed: Record<string, string> = {
    [spec.key]: `t.${spec.key}`,
    probability: "t.probability",
    predicted_label: `CASE WHEN t.probability >= ${o.threshold} THEN 1 ELSE 0 END`,
    model_name: quote(o.modelName),
    model_version: quote(o.modelVersion),
    scored_at: timestamp(o.scoredAt),
  };
  const exprs = allColumns(target).map((c) => {
    const e = computed[c.name] ?? (fromBookings.has(c.name) ? `b.${c.name}` : undefined);
    if (e === undefined) throw new Error(`no expression for ${qualified(target)}.${c.name}`);
    return e;
  });
  return [
    `INSERT INTO ${qualified(target)} (${allColumns(target)
      .map((c) => c.name)
      .join(", ")})`,
    `SELECT ${exprs.join(", ")}`,
    `FROM ${target.zone}.${o.transformTable} t`,
    `JOIN ${qualified(source)} b ON b.${spec.key} = t.${spec.key}`,
  ].join("\n");
}

/** The files holding a model version's predictions, with their rows and sizes (Athena's `$path` and
 * `$file_size`): the manifest of the table snapshot the predict step commits. */
export function predictionFilesSql(target: TableDef = bookingPredictions): string {
  return `SELECT "$path" AS path, max("$file_size") AS bytes, count(*) AS n FROM ${qualified(target)} WHERE model_version = ? GROUP BY 1 ORDER BY 1`;
}

export const dropTableSql = (zone: string, table: string) => `DROP TABLE IF EXISTS ${zone}.${table}`;
