import { type Catalog, crawl, type LakeLayout, newRunId, type ObjectStore, TableLog } from "@hotels/lake";
import type { QueryEngine } from "@hotels/query";
import { bookingPredictions, cancellationFeatures, type FeatureSpec, schemaHash } from "@hotels/schema";
import type { Dataset } from "./dataset.ts";
import { evaluateClassifier, evaluateRegressor, featureImportance } from "./evaluation.ts";
import {
  defaultSplit,
  type EncodeReport,
  encodeFeatures,
  encodeLabels,
  type ResolvedFeatureSpec,
  resolveFeatureSpec,
  type SplitRule,
  splitOf,
} from "./features.ts";
import { auc } from "./metrics.ts";
import { writePartitionedParquet } from "./parquet-writer.ts";
import { predict } from "./predict.ts";
import { loadModel, type RegisterResult, registerModel } from "./registry.ts";
import { type ModelMetrics, renderReport } from "./report.ts";
import { type RoundInfo, train } from "./trainer.ts";

/** The ports the ML stage uses (all from the runtime). */
export interface MlPorts {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly catalog: Catalog;
  readonly queryEngine: QueryEngine;
}

/** Parameters of `hotels train` unless overridden: the benchmark's (AUC ≈ 0.96 on the real data) with early
 * stopping on the validation split. */
export const lakeTrainingDefaults: Readonly<Record<string, unknown>> = {
  objective: "binary:logistic",
  max_depth: 8,
  eta: 0.1,
  num_round: 300,
  max_bin: 256,
  early_stopping_rounds: 30,
};

export interface TrainFromLakeOptions {
  /** Registry name. Default `booking-cancellation` (the feature spec's name). */
  readonly name?: string;
  readonly spec?: FeatureSpec;
  /** Booster parameters over `lakeTrainingDefaults`. */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly split?: SplitRule;
  /** Metric that decides promotion to `latest`. Default `auc` (`rmse` for regression). */
  readonly metric?: "auc" | "logloss" | "f1" | "accuracy" | "rmse";
  /** Decision threshold of `predicted_label`. Default 0.5. */
  readonly threshold?: number;
  /** Move `latest` even when worse. Default false. */
  readonly force?: boolean;
  readonly onRound?: (info: RoundInfo) => void;
}

export interface TrainFromLakeResult {
  readonly registered: RegisterResult;
  readonly metrics: ModelMetrics;
  readonly rows: {
    readonly all: number;
    readonly train: number;
    readonly validation: number;
    readonly test: number;
  };
  readonly seconds: number;
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

function featureSql(spec: FeatureSpec | ResolvedFeatureSpec, extra: readonly string[]): string {
  const cols = [...new Set([...extra, ...spec.features.map((f) => f.column)])];
  return `select ${cols.map(ident).join(", ")} from ${spec.table.zone}.${spec.table.name}`;
}

/** Trains the cancellation model from curated.bookings (through the query engine), evaluates it on the
 * held-out test split, and registers it with its metrics, HTML report, feature spec and data manifest. */
export async function trainFromLake(
  ports: MlPorts,
  options: TrainFromLakeOptions = {},
): Promise<TrainFromLakeResult> {
  const t0 = performance.now();
  const spec = options.spec ?? cancellationFeatures;
  const name = options.name ?? spec.name;
  const split = options.split ?? defaultSplit;
  const params = { ...lakeTrainingDefaults, ...(options.params ?? {}) };
  const logistic = params.objective !== "reg:squarederror";
  const metric = options.metric ?? (logistic ? "auc" : "rmse");
  const threshold = options.threshold ?? 0.5;

  const sql = featureSql(spec, [spec.key, spec.label]);
  const result = await ports.queryEngine.query(sql);
  const rows = result.rows;
  if (rows.length === 0)
    throw new Error(
      `${spec.table.zone}.${spec.table.name} has no rows: run \`hotels ingest\` and \`hotels etl\` first`,
    );
  const parts: Record<"train" | "validation" | "test", Record<string, unknown>[]> = {
    train: [],
    validation: [],
    test: [],
  };
  for (const r of rows) {
    const key = r[spec.key];
    if (key === null || key === undefined) throw new Error(`a row of ${spec.table.name} has no ${spec.key}`);
    parts[splitOf(key as number, split)].push(r);
  }
  for (const k of ["train", "validation", "test"] as const)
    if (parts[k].length === 0)
      throw new Error(`the ${k} split is empty (${rows.length} rows in all): not enough data to train`);
  const resolved = resolveFeatureSpec(spec, parts.train);
  const labelsOf = (rs: Record<string, unknown>[]) =>
    logistic ? encodeLabels(rs, spec.label) : Float32Array.from(rs, (r) => Number(r[spec.label]));
  const encoded = (rs: Record<string, unknown>[]): { data: Dataset; report: EncodeReport } => {
    const { matrix, report } = encodeFeatures(resolved, rs);
    return { data: { ...matrix, labels: labelsOf(rs) }, report };
  };
  const tr = encoded(parts.train);
  const va = encoded(parts.validation);
  const te = encoded(parts.test);

  const res = await train(tr.data, {
    params,
    featureNames: resolved.features.map((f) => f.name),
    featureTypes: resolved.features.map((f) => (f.kind === "numeric" ? "float" : "int")),
    validation: va.data,
    onRound: options.onRound,
  });
  const pTest = predict(res.booster, te.data);
  const pValid = predict(res.booster, va.data);
  const createdAt = new Date().toISOString();
  const snapshot = await new TableLog({ store: ports.store, layout: ports.layout })
    .current(spec.table.zone, spec.table.name)
    .catch(() => undefined);
  const rowCounts = { all: rows.length, train: tr.data.rows, validation: va.data.rows, test: te.data.rows };
  const metricsBase = {
    objective: res.params.objective,
    params: { ...res.params } as Record<string, unknown>,
    split: {
      ...split,
      method: `FNV-1a 32-bit hash of "${split.salt}:<${spec.key}>", murmur3 fmix32, / 2^32 → train < ${split.train} ≤ validation < ${split.train + split.validation} ≤ test`,
    },
    rows: rowCounts,
    training: { seconds: res.seconds, rounds: res.booster.trees.length, bestIteration: res.bestIteration },
    importance: featureImportance(res.booster),
    encoding: { train: tr.report, validation: va.report, test: te.report },
  };
  const version = newRunId();
  const metrics: ModelMetrics = logistic
    ? {
        model: { name, version, createdAt },
        ...metricsBase,
        test: evaluateClassifier(te.data.labels, pTest, { threshold }),
        validation: evaluateClassifier(va.data.labels, pValid, { threshold }),
      }
    : {
        model: { name, version, createdAt },
        ...metricsBase,
        regression: {
          test: evaluateRegressor(te.data.labels, pTest),
          validation: evaluateRegressor(va.data.labels, pValid),
        },
      };
  const summary: Record<string, number> = metrics.test
    ? {
        auc: metrics.test.auc,
        logloss: metrics.test.logLoss,
        accuracy: metrics.test.accuracy,
        precision: metrics.test.precision,
        recall: metrics.test.recall,
        f1: metrics.test.f1,
      }
    : { rmse: metrics.regression!.test.rmse, mae: metrics.regression!.test.mae };
  const value = summary[metric === "logloss" ? "logloss" : metric];
  if (value === undefined)
    throw new Error(`metric ${metric} is not available for objective ${res.params.objective}`);
  const manifest = {
    table: `${spec.table.zone}.${spec.table.name}`,
    snapshotVersion: snapshot?.version ?? null,
    snapshotCommittedAt: snapshot?.committedAt ?? null,
    schemaHash: snapshot?.schemaHash ?? null,
    query: sql,
    queryId: result.queryId,
    rows: rowCounts,
    labelRate: logistic
      ? { train: mean(tr.data.labels), validation: mean(va.data.labels), test: mean(te.data.labels) }
      : undefined,
    split: metricsBase.split,
  };
  const registered = await registerModel(ports, {
    name,
    version,
    booster: res.booster,
    spec: resolved,
    metrics,
    manifest,
    report: renderReport(metrics),
    force: options.force,
    info: { objective: res.params.objective, metric, value, summary, threshold, params: { ...res.params } },
  });
  return { registered, metrics, rows: rowCounts, seconds: (performance.now() - t0) / 1000 };
}

const mean = (a: Float32Array) => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);

export interface PredictToLakeOptions {
  readonly name?: string;
  /** Model version; default `latest`. */
  readonly version?: string;
  /** Default: the model's registered threshold. */
  readonly threshold?: number;
  readonly now?: Date;
}

export interface PredictToLakeResult {
  readonly model: { readonly name: string; readonly version: string };
  readonly table: string;
  readonly rows: number;
  readonly files: number;
  readonly partitions: number;
  readonly snapshotVersion: number;
  readonly predictedPositive: number;
  readonly meanProbability: number;
  /** AUC of the scores against the actual outcomes (all rows: training rows included, so optimistic). */
  readonly aucVsActual: number;
  readonly unknownCategories: EncodeReport["unknownCategories"];
  readonly crawl: { readonly partitionsAdded: number; readonly drift: number };
  readonly seconds: number;
}

/** Scores curated.bookings with a registered model into `predictions.booking_cancellations` (Parquet,
 * partitioned like bookings), committed as a table snapshot (replacing this model version's earlier
 * predictions, keeping other versions') and catalogued, so SQL can join predictions with actuals. */
export async function predictToLake(
  ports: MlPorts,
  options: PredictToLakeOptions = {},
): Promise<PredictToLakeResult> {
  const t0 = performance.now();
  const name = options.name ?? cancellationFeatures.name;
  const model = await loadModel(ports, name, options.version);
  const spec = model.spec;
  const threshold = options.threshold ?? model.info.threshold;
  const carry = [
    "booking_id",
    "hotel_id",
    "hotel",
    "arrival_date",
    spec.label,
    "arrival_year",
    "arrival_month",
  ];
  const result = await ports.queryEngine.query(featureSql(spec, [spec.key, ...carry]));
  const rows = result.rows;
  const { matrix, report } = encodeFeatures(spec, rows);
  const probs = predict(model.booster, matrix);
  const scoredAt = options.now ?? new Date();
  const out: Record<string, unknown>[] = new Array(rows.length);
  let positive = 0;
  let sum = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const p = probs[i]!;
    const label = p >= threshold ? 1 : 0;
    positive += label;
    sum += p;
    out[i] = {
      booking_id: r.booking_id,
      hotel_id: r.hotel_id,
      hotel: r.hotel,
      arrival_date: r.arrival_date,
      probability: p,
      predicted_label: label,
      is_canceled: Number(r[spec.label]),
      model_name: name,
      model_version: model.info.version,
      scored_at: scoredAt,
      arrival_year: r.arrival_year,
      arrival_month: r.arrival_month,
    };
  }
  const log = new TableLog({ store: ports.store, layout: ports.layout });
  const zone = bookingPredictions.zone;
  // the file names carry the model version, so re-scoring with a version replaces only its own files
  const tag = `m${model.info.version.replace(/[^A-Za-z0-9]/g, "")}`;
  const runId = `${newRunId(scoredAt)}-${tag}`;
  const files = await writePartitionedParquet(ports, zone, bookingPredictions, out, runId);
  const current = await log.current(zone, bookingPredictions.name);
  const kept = (current?.files ?? []).filter((f) => !f.key.includes(`-${tag}-`));
  const snap = await log.commit(zone, bookingPredictions.name, {
    runId,
    files: [...kept, ...files],
    schemaHash: schemaHash(bookingPredictions),
    operation: "overwrite",
    expectedVersion: current?.version ?? 0,
  });
  const crawled = await crawl({
    store: ports.store,
    layout: ports.layout,
    catalog: ports.catalog,
    tables: [`${zone}.${bookingPredictions.name}`],
  });
  const labels = Float32Array.from(out, (r) => r.is_canceled as number);
  return {
    model: { name, version: model.info.version },
    table: `${zone}.${bookingPredictions.name}`,
    rows: rows.length,
    files: files.length,
    partitions: new Set(files.map((f) => JSON.stringify(f.partition))).size,
    snapshotVersion: snap.version,
    predictedPositive: positive,
    meanProbability: rows.length ? sum / rows.length : 0,
    aucVsActual: auc(labels, probs),
    unknownCategories: report.unknownCategories,
    crawl: { partitionsAdded: crawled.partitionsAdded, drift: crawled.drift.length },
    seconds: (performance.now() - t0) / 1000,
  };
}
