import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cancellationFeatures } from "@hotels/schema";
import { beforeAll, describe, expect, it } from "vitest";
import {
  auc,
  type Dataset,
  encodeFeatures,
  encodeLabels,
  fromXgboostJson,
  MODEL_FILE,
  packModel,
  predict,
  readBookingsCsv,
  resolveFeatureSpec,
  splitOf,
  takeDataset,
  toXgboostJson,
  train,
  unpackModel,
} from "../src/index.ts";
import { maxAbsDiff, tmp, xgboostUnavailable, xgbPredict, xgbTrain } from "./helpers.ts";

const skip = xgboostUnavailable();
const DATA = path.resolve(import.meta.dirname, "../../../data/hotel_bookings.csv.gz");

describe.skipIf(skip !== undefined)("parity with XGBoost 1.7.4 (python3-xgboost)", () => {
  let trainSet: Dataset;
  let testSet: Dataset;
  beforeAll(() => {
    // a few thousand real bookings (every 40th row), with extra missing values so default directions matter
    const rows = readBookingsCsv(DATA).filter((_, i) => i % 40 === 0);
    rows.forEach((r, i) => {
      if (i % 9 === 0) r.lead_time = null;
      if (i % 13 === 0) r.adr = null;
    });
    const spec = resolveFeatureSpec(cancellationFeatures, rows);
    const { matrix } = encodeFeatures(spec, rows);
    const all: Dataset = { ...matrix, labels: encodeLabels(rows, "is_canceled") };
    const tr: number[] = [];
    const te: number[] = [];
    rows.forEach((r, i) => {
      (splitOf(r.booking_id as number) === "test" ? te : tr).push(i);
    });
    trainSet = takeDataset(all, tr);
    testSet = takeDataset(all, te);
  });

  it("XGBoost loads a model this trainer wrote (inside model.tar.gz) and predicts the same probabilities", async () => {
    // prepare
    const { booster } = await train(trainSet, {
      params: {
        max_depth: 5,
        eta: 0.3,
        num_round: 25,
        nthread: 2,
        subsample: 0.9,
        colsample_bytree: 0.8,
        seed: 7,
      },
    });
    const dir = tmp();
    const file = path.join(dir, MODEL_FILE);
    const restored = await unpackModel(await packModel(booster));
    // nameless, as SageMaker's container needs to score CSV rows (a DMatrix without names)
    expect(restored.featureNames).toEqual([]);
    writeFileSync(file, toXgboostJson(restored));
    // act
    const ours = predict(booster, testSet);
    const theirs = xgbPredict(file, testSet);
    // assert
    expect(theirs).toHaveLength(testSet.rows);
    expect(maxAbsDiff(ours, theirs)).toBeLessThanOrEqual(1e-6);
    expect(auc(testSet.labels, ours)).toBeGreaterThan(0.8);
  });

  it("scores a model XGBoost trained exactly as XGBoost does, missing values included", () => {
    // prepare
    const file = xgbTrain(
      { objective: "binary:logistic", tree_method: "hist", max_depth: 6, eta: 0.2, nthread: 2 },
      trainSet,
      trainSet.labels,
      30,
    );
    // act
    const booster = fromXgboostJson(readFileSync(file, "utf8"));
    const ours = predict(booster, testSet);
    const theirs = xgbPredict(file, testSet);
    // assert
    expect(booster.trees).toHaveLength(30);
    expect(maxAbsDiff(ours, theirs)).toBeLessThanOrEqual(1e-6);
  });

  it("regression: reg:squarederror models agree both ways", async () => {
    // prepare: predict adr from the other features
    const adrCol = cancellationFeatures.features.findIndex((f) => f.name === "adr");
    const y = trainSet.values
      .slice(adrCol * trainSet.rows, (adrCol + 1) * trainSet.rows)
      .map((v) => (Number.isNaN(v) ? 0 : v));
    const { booster } = await train(
      { ...trainSet, labels: y },
      { params: { objective: "reg:squarederror", max_depth: 4, num_round: 15, base_score: 90 } },
    );
    const dir = tmp();
    writeFileSync(path.join(dir, "m.json"), toXgboostJson(booster));
    // act
    const theirs = xgbPredict(path.join(dir, "m.json"), testSet);
    // assert: float32 values of ~100 → 1e-6 relative
    const ours = predict(booster, testSet);
    expect(
      maxAbsDiff(
        ours.map((v, i) => (v - theirs[i]!) / Math.max(1, Math.abs(v))),
        new Float32Array(ours.length),
      ),
    ).toBeLessThanOrEqual(1e-6);
  });
});
