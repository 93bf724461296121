import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { GlueClient as Glue, GlueClient, StartJobRunCommand } from "@aws-sdk/client-glue";
import {
  BatchExecuteStatementCommand,
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
} from "@aws-sdk/client-rds-data";
import { S3Client } from "@aws-sdk/client-s3";
import { generate, migrate, openPglite, type SqlSource } from "@hotels/source";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { awsCore } from "../src/aws.ts";
import { readEnv } from "../src/env.ts";
import * as incoming from "../src/handlers/incoming.ts";
import * as ingestApi from "../src/handlers/ingest-api.ts";
import { glueEtlStage } from "../src/stages/glue.ts";
import { dataApiIngestStage } from "../src/stages/ingest.ts";
import { lambdaContext, mockS3, sample, TEST_ENV } from "./support/aws.ts";

const s3 = mockS3();
const glue = mockClient(GlueClient);
let source: SqlSource;

beforeAll(async () => {
  Object.assign(process.env, TEST_ENV);
  // The Data API cannot run here; the ingestion logic behind it is the real one, on PGlite.
  source = await openPglite();
  await migrate(source);
}, 60_000);
afterAll(async () => {
  await source?.close();
});
beforeEach(() => {
  s3.reset();
  glue.reset();
  glue.on(StartJobRunCommand).resolves({ JobRunId: "jr_1" });
});

const records = [...generate({ bookings: 4, seed: 7 })];
const of = (table: string) => records.filter((r) => r.table === table).map((r) => r.record);
const post = (body: unknown, method = "POST") => {
  const e = sample<Record<string, unknown> & { requestContext: { http: Record<string, unknown> } }>(
    "function-url-post",
  );
  return {
    ...e,
    body: typeof body === "string" ? body : JSON.stringify(body),
    requestContext: { ...e.requestContext, http: { ...e.requestContext.http, method } },
  };
};
type Reply = { statusCode: number; body: string };
const parse = (r: unknown) => ({ status: (r as Reply).statusCode, body: JSON.parse((r as Reply).body) });

describe("ingest-api (function URL → validate → RDS → balanced counts)", () => {
  const handler = ingestApi.makeHandler(() => source);

  it("loads valid records, quarantines the invalid one with its field and rule, answers balanced counts", async () => {
    for (const table of ["hotels", "customers"])
      expect(parse(await handler(post({ table, records: of(table) }), lambdaContext())).status).toBe(200);
    const bookings = of("bookings");
    const bad = { ...bookings[0], booking_id: 999_999_001, market_segment: "Telepathy" };

    const r = parse(await handler(post([...bookings, bad]), lambdaContext("req-42")));

    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      table: "bookings",
      read: bookings.length + 1,
      loaded: bookings.length,
      rejected: 1,
      balanced: true,
    });
    const rejects = await source.query<{ source: string; field: string; rule: string }>(
      "select source, field, rule from ingest_rejects where source = $1",
      ["function-url:req-42"],
    );
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.field).toBe("market_segment");
    const [n] = await source.query<{ n: number }>(
      "select count(*)::int as n from bookings where booking_id = $1",
      [999_999_001],
    );
    expect(n!.n).toBe(0);

    // The same batch again changes nothing.
    const again = parse(await handler(post(bookings), lambdaContext("req-43")));
    expect(again.body).toMatchObject({
      read: bookings.length,
      loaded: bookings.length,
      inserted: 0,
      updated: 0,
    });
  });

  it("answers 400 for a body that is not a batch and 405 for other methods, writing nothing", async () => {
    expect(parse(await handler(post("{not json"), lambdaContext()))).toMatchObject({ status: 400 });
    expect(parse(await handler(post({ records: [] }), lambdaContext())).body.error).toMatch(/body: /);
    expect(parse(await handler(post([], "GET"), lambdaContext())).status).toBe(405);
  });

  it("writes through the RDS Data API with the environment's cluster, secret and database", async () => {
    const rds = mockClient(RDSDataClient);
    rds.on(BeginTransactionCommand).resolves({ transactionId: "tx-1" });
    rds.on(ExecuteStatementCommand).resolves({ records: [], numberOfRecordsUpdated: 0 });
    rds.on(BatchExecuteStatementCommand).resolves({ updateResults: [] });
    rds.on(CommitTransactionCommand).resolves({ transactionStatus: "Transaction Committed" });
    rds.on(RollbackTransactionCommand).resolves({ transactionStatus: "Rollback Complete" });
    try {
      await ingestApi
        .makeHandler()(post({ table: "hotels", records: of("hotels") }), lambdaContext())
        .catch(() => undefined);
      const calls = rds.calls();
      expect(calls.length).toBeGreaterThan(0);
      for (const c of calls)
        expect(c.args[0].input).toMatchObject({
          resourceArn: TEST_ENV.DB_RESOURCE_ARN,
          secretArn: TEST_ENV.DB_SECRET_ARN,
          database: "hotels",
        });
      expect(rds.commandCalls(BeginTransactionCommand).length).toBeGreaterThan(0);
    } finally {
      rds.restore();
    }
  });
});

describe("incoming (S3 ObjectCreated on raw/incoming/ → ingest → ETL job)", () => {
  const deps = () => {
    const env = readEnv();
    const core = awsCore(env, new S3Client({ region: "eu-west-1" }));
    return {
      core,
      stages: {
        ingest: dataApiIngestStage({ store: core.store, source: async () => source }),
        etl: glueEtlStage({
          glue: new Glue({ region: "eu-west-1" }),
          jobName: "hotels-dev-etl",
          tables: core.tables,
        }),
      },
    };
  };

  it("ingests the dropped file (real data set rows) and starts the Glue job", async () => {
    const csv = gunzipSync(
      readFileSync(path.join(import.meta.dirname, "../../../data/hotel_bookings.csv.gz")),
    )
      .toString("utf8")
      .split("\n")
      .slice(0, 51)
      .join("\n");
    s3.put("hotels-dev-raw", "incoming/bookings 2026-11-24.csv", `${csv}\n`);
    // S3 notifications URL-encode keys (a space arrives as `+`).
    const e = sample<{ Records: { s3: { object: { key: string } } }[] }>("s3-object-created");
    e.Records[0]!.s3.object.key = "incoming/bookings+2026-11-24.csv";

    const r = (await incoming.makeHandler(deps)(e, lambdaContext())) as {
      runs: { uri: string; status: string; steps: Record<string, string>; runId: string }[];
    };

    expect(r.runs).toHaveLength(1);
    expect(r.runs[0]).toMatchObject({
      uri: "s3://hotels-dev-raw/incoming/bookings 2026-11-24.csv",
      status: "waiting",
      steps: { ingest: "succeeded", etl: "pending" },
    });
    const log = s3.json("hotels-dev-raw", `_pipeline/runs/${r.runs[0]!.runId}.json`) as {
      steps: { name: string; counts: Record<string, number> }[];
    };
    expect(log.steps[0]!.counts).toMatchObject({ read: 50, loaded: 50, rejected: 0 });
    expect(glue.commandCalls(StartJobRunCommand)[0]!.args[0].input.JobName).toBe("hotels-dev-etl");
  });

  it("ignores objects outside raw/incoming/ (logged, acknowledged)", async () => {
    const e = sample<{ Records: { s3: { object: { key: string } } }[] }>("s3-object-created");
    e.Records[0]!.s3.object.key = "curated/bookings/part-0.parquet";

    const r = await incoming.makeHandler(deps)(e, lambdaContext());

    expect(r).toEqual({ runs: [] });
    expect(glue.calls()).toHaveLength(0);
  });
});
