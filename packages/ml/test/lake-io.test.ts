import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  encodeFeatures,
  listModelVersions,
  loadModel,
  type MlPorts,
  MODEL_FILES,
  predictToLake,
  trainFromLake,
} from "../src/index.ts";
import { tmp } from "./helpers.ts";
import { curatedRows, lakeWithBookings } from "./lake-fixture.ts";

describe("train from the lake, register, batch-predict into the lake", () => {
  let ports: MlPorts;
  beforeAll(async () => {
    ports = await lakeWithBookings(tmp(), curatedRows(25)); // ~4,800 real bookings
  }, 60_000);
  afterAll(async () => {
    await ports?.queryEngine.close();
  });

  it("trains through the query engine and registers model, metrics, report, spec and manifest", async () => {
    // act
    const res = await trainFromLake(ports, { params: { num_round: 40, max_depth: 5, eta: 0.3 } });
    // assert
    expect(res.registered.promoted).toBe(true);
    expect(res.registered.reason).toMatch(/first version/);
    expect(res.rows.train + res.rows.validation + res.rows.test).toBe(res.rows.all);
    expect(res.metrics.test!.auc).toBeGreaterThan(0.85);
    const bucket = ports.layout.bucket("models");
    for (const f of Object.values(MODEL_FILES))
      expect(await ports.store.head(bucket, `${res.registered.prefix}${f}`), f).toBeDefined();
    const html = new TextDecoder().decode(
      await ports.store.get(bucket, `${res.registered.prefix}report.html`),
    );
    expect(html).toContain("<svg");
    expect(html).toContain("ROC curve");
    expect(html).not.toMatch(/<script|https?:\/\//);
    const loaded = await loadModel(ports, "booking-cancellation");
    expect(loaded.spec.features).toHaveLength(29);
    expect(loaded.spec.features.find((f) => f.name === "country")!.categories!.length).toBeGreaterThan(20);
    expect((loaded.manifest as { snapshotVersion: number }).snapshotVersion).toBe(1);
  }, 120_000);

  it("refuses to move latest to a worse model, and says why", async () => {
    // act: a deliberately weak model (one stump)
    const res = await trainFromLake(ports, {
      params: { num_round: 1, max_depth: 1, early_stopping_rounds: 0 },
    });
    // assert
    expect(res.registered.promoted).toBe(false);
    expect(res.registered.reason).toMatch(/latest not moved: worse auc/);
    const versions = await listModelVersions(ports, "booking-cancellation");
    expect(versions).toHaveLength(2);
    expect(versions.filter((v) => v.latest).map((v) => v.version)).toEqual([
      res.registered.previous!.version,
    ]);
  }, 120_000);

  it("writes catalogued, partitioned predictions that SQL joins with the actuals", async () => {
    // act
    const first = await predictToLake(ports);
    const again = await predictToLake(ports); // re-scoring the same version replaces its rows
    // assert
    expect(first.rows).toBeGreaterThan(4000);
    expect(again.snapshotVersion).toBe(first.snapshotVersion + 1);
    expect(first.partitions).toBeGreaterThan(20);
    const joined = await ports.queryEngine.query(
      `select count(*)::INTEGER as n, avg(case when p.predicted_label = b.is_canceled then 1 else 0 end) as acc
       from predictions.booking_cancellations p join curated.bookings b using (booking_id)`,
    );
    expect(joined.rows[0]!.n).toBe(first.rows);
    expect(joined.rows[0]!.acc as number).toBeGreaterThan(0.75);
    expect(first.aucVsActual).toBeGreaterThan(0.85);
  }, 120_000);

  it("an unknown category scores as missing and is reported; a wrong type fails naming row and column", async () => {
    const { spec } = await loadModel(ports, "booking-cancellation");
    const row = { ...curatedRows(1000)[0]!, country: "ZZZ" };
    const { matrix, report } = encodeFeatures(spec, [row]);
    const countryCol = spec.features.findIndex((f) => f.name === "country");
    expect(Number.isNaN(matrix.values[countryCol]!)).toBe(true);
    expect(report.unknownCategories.country).toEqual({ count: 1, examples: ["ZZZ"] });
    expect(() => encodeFeatures(spec, [{ ...row, lead_time: "soon" }])).toThrow(
      /row 0: column lead_time is numeric, got string "soon"/,
    );
  });
});
