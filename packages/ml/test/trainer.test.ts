import { describe, expect, it } from "vitest";
import {
  auc,
  type Dataset,
  fromXgboostJson,
  matrixFromRows,
  parseParamPairs,
  predict,
  resolveParams,
  splitOf,
  toXgboostJson,
  train,
} from "../src/index.ts";

/** y = 1 when x0 > 0.5, except rows whose x0 is missing: those are all positive. */
function synthetic(n: number, seed = 1): Dataset {
  let s = seed;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const rows: (number | null)[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const missing = i % 10 === 0;
    const x0 = rnd();
    rows.push([missing ? null : x0, rnd()]);
    y.push(missing ? 1 : x0 > 0.5 ? 1 : 0);
  }
  return { ...matrixFromRows(rows), labels: Float32Array.from(y) };
}

describe("parameters", () => {
  it("defaults as XGBoost 1.7, aliases, and errors naming the parameter", () => {
    expect(resolveParams({}).max_depth).toBe(6);
    expect(resolveParams({ learning_rate: "0.05" }).eta).toBe(0.05);
    expect(() => resolveParams({ max_depth: "deep" })).toThrow(
      /parameter max_depth=deep is invalid: expected an integer/,
    );
    expect(() => resolveParams({ etaa: 1 })).toThrow(/unknown training parameter "etaa"/);
    expect(() => resolveParams({ objective: "multi:softmax" })).toThrow(/objective must be/);
    expect(parseParamPairs(["max_depth=3", "eta=0.2"])).toEqual({ max_depth: "3", eta: "0.2" });
    expect(() => parseParamPairs(["max_depth"])).toThrow(/--param expects k=v/);
  });
});

describe("trainer", () => {
  it("learns a threshold and sends missing values the way the labels say (default direction)", async () => {
    // prepare
    const data = synthetic(2000);
    // act
    const { booster } = await train(data, { params: { max_depth: 3, num_round: 20, eta: 0.5 } });
    // assert: the root splits on x0 near 0.5 and missing goes to the positive side
    const t0 = booster.trees[0]!;
    expect(t0.feature[0]).toBe(0);
    expect(t0.cond[0]).toBeGreaterThan(0.45);
    expect(t0.cond[0]).toBeLessThan(0.55);
    expect(t0.defaultLeft[0]).toBe(0); // missing (positive) goes right, with x0 > 0.5
    const p = predict(
      booster,
      matrixFromRows([
        [null, 0.3],
        [0.1, 0.3],
        [0.9, 0.3],
      ]),
    );
    expect(p[0]).toBeGreaterThan(0.9);
    expect(p[1]).toBeLessThan(0.1);
    expect(p[2]).toBeGreaterThan(0.9);
  });

  it("is deterministic with sampling, and the same on one thread as on two", async () => {
    const data = synthetic(3000, 7);
    const params = { max_depth: 4, num_round: 10, subsample: 0.7, colsample_bytree: 0.5, seed: 3 };
    const a = await train(data, { params: { ...params, nthread: 1 } });
    const b = await train(data, { params: { ...params, nthread: 2 } });
    expect(toXgboostJson(a.booster)).toBe(toXgboostJson(b.booster));
    const c = await train(data, { params: { ...params, seed: 4 } });
    expect(toXgboostJson(c.booster)).not.toBe(toXgboostJson(a.booster));
  });

  it("keeps its two worker threads in step: many trainings give the one-thread model", async () => {
    // prepare: no row sampling (the fused gradient + root hand-off), deep trees (every hand-off kind)
    const data = synthetic(5000, 11);
    const params = { max_depth: 6, num_round: 40 };
    const reference = toXgboostJson((await train(data, { params: { ...params, nthread: 1 } })).booster);
    // act: a lost or repeated hand-off would desynchronise the barrier (a timeout) or change the model
    const models: string[] = [];
    for (let i = 0; i < 8; i++)
      models.push(toXgboostJson((await train(data, { params: { ...params, nthread: 2 } })).booster));
    // assert
    for (const m of models) expect(m).toBe(reference);
  }, 60_000);

  it("gamma prunes splits whose gain is below it", async () => {
    const clean = synthetic(2000, 5);
    // flip every 7th label: noise gives the deep levels small, prunable gains
    const data = { ...clean, labels: clean.labels.map((y, i) => (i % 7 === 0 ? 1 - y : y)) };
    const loose = await train(data, { params: { max_depth: 6, num_round: 3 } });
    const pruned = await train(data, { params: { max_depth: 6, num_round: 3, gamma: 5 } });
    const nodes = (r: typeof loose) => r.booster.trees.reduce((s, t) => s + t.left.length, 0);
    expect(nodes(pruned)).toBeLessThan(nodes(loose));
    for (const t of pruned.booster.trees)
      for (let k = 0; k < t.left.length; k++)
        if (t.left[k] !== -1 && t.left[t.left[k]!] === -1 && t.left[t.right[k]!] === -1)
          expect(t.lossChg[k]).toBeGreaterThanOrEqual(5);
    // the pruned tree still predicts what it says: JSON round trip is lossless
    expect(Array.from(predict(fromXgboostJson(toXgboostJson(pruned.booster)), data))).toEqual(
      Array.from(predict(pruned.booster, data)),
    );
  });

  it("early stopping keeps the best round on the validation set", async () => {
    const train1 = synthetic(1500, 11);
    const valid = synthetic(500, 12);
    const rounds: number[] = [];
    const res = await train(train1, {
      validation: valid,
      params: { max_depth: 6, eta: 1, num_round: 200, early_stopping_rounds: 5 },
      onRound: (r) => rounds.push(r.round),
    });
    expect(rounds.length).toBeLessThan(200);
    expect(res.booster.trees).toHaveLength(res.bestIteration + 1);
    expect(res.booster.attributes.best_iteration).toBe(String(res.bestIteration));
    expect(Math.min(...res.history)).toBe(res.history[res.bestIteration]);
  });

  it("reg:squarederror fits a step", async () => {
    const d = synthetic(1000, 3);
    const y = Float32Array.from({ length: d.rows }, (_, i) =>
      Number.isNaN(d.values[i]!) ? 2 : d.values[i]! * 10,
    );
    const res = await train(
      { ...d, labels: y },
      { params: { objective: "reg:squarederror", max_depth: 6, num_round: 50, base_score: 5 } },
    );
    const p = predict(
      res.booster,
      matrixFromRows([
        [0.2, 0],
        [0.8, 0],
        [null, 0],
      ]),
    );
    expect(p[0]).toBeCloseTo(2, 0);
    expect(p[1]).toBeCloseTo(8, 0);
    expect(p[2]).toBeCloseTo(2, 0);
  });

  it("refuses bad labels naming the row", async () => {
    const d = synthetic(10);
    const labels = d.labels.slice();
    labels[3] = 2;
    await expect(train({ ...d, labels })).rejects.toThrow(/label of row 3 is 2/);
  });
});

describe("split", () => {
  it("is deterministic, near the fractions, and mixes consecutive ids", () => {
    const counts = { train: 0, validation: 0, test: 0 };
    let runs = 0;
    let prev = "";
    for (let id = 1; id <= 20000; id++) {
      const s = splitOf(id);
      counts[s]++;
      if (s !== prev) runs++;
      prev = s;
    }
    expect(splitOf(12345)).toBe(splitOf(12345));
    expect(counts.train / 20000).toBeCloseTo(0.7, 1);
    expect(counts.test / 20000).toBeCloseTo(0.15, 1);
    // a random assignment changes split about 2·(0.7·0.3+…)/2 ≈ 46% of the time
    expect(runs / 20000).toBeGreaterThan(0.4);
    expect(auc([0, 1], [0.2, 0.8])).toBe(1);
  });
});
