import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { S3Client } from "@aws-sdk/client-s3";
import { awsLayout, S3ObjectStore, TableLog } from "@hotels/lake";
import { makeEvent } from "@hotels/pipeline";
import { AthenaQueryEngine } from "@hotels/query";
import { allColumns, bookingPredictions, col, type TableDef } from "@hotels/schema";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { athenaUpdateCount } from "../src/stages/athena.ts";
import { athenaPredictFinish } from "../src/stages/predictions.ts";
import {
  insertPredictionsSql,
  transformOutputTableSql,
  transformTableName,
} from "../src/stages/predictions-sql.ts";
import { transformRef } from "../src/stages/refs.ts";
import { mockS3 } from "./support/aws.ts";

const s3 = mockS3();
const athena = mockClient(AthenaClient);
const layout = awsLayout({ prefix: "hotels", env: "dev" });
const store = new S3ObjectStore({ client: new S3Client({ region: "eu-west-1" }) });
const JOB = "hotels-dev-score-RUN1";
const VERSION = "hotels-dev-train-RUN1";
const FILES = [
  ["booking_cancellations/arrival_year=2016/arrival_month=12/q1_0", 700, 40],
  ["booking_cancellations/arrival_year=2017/arrival_month=1/q1_1", 500, 25],
] as const;

/** Athena over the mock: each statement succeeds; the files query answers what the INSERT wrote. */
function fakeAthena(o: { updateCount?: number; alreadyInserted?: boolean } = {}) {
  const sqls = new Map<string, string>();
  let inserted = o.alreadyInserted ?? false;
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    const id = `q${sqls.size + 1}`;
    sqls.set(id, input.QueryString);
    if (input.QueryString.startsWith("INSERT")) inserted = true;
    return { QueryExecutionId: id };
  });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string }) => {
    const sql = sqls.get(input.QueryExecutionId) ?? "";
    if (sql.startsWith("INSERT"))
      return { UpdateCount: o.updateCount ?? FILES.reduce((a, f) => a + f[2], 0), ResultSet: { Rows: [] } };
    if (!sql.startsWith("SELECT")) return { ResultSet: { Rows: [] } };
    const rows = inserted ? FILES : [];
    return {
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: ["path", "bytes", "n"].map((Name, i) => ({ Name, Type: i ? "bigint" : "varchar" })),
        },
        Rows: [
          { Data: ["path", "bytes", "n"].map((VarCharValue) => ({ VarCharValue })) },
          ...rows.map(([key, bytes, n]) => ({
            Data: [`s3://hotels-dev-predictions/${key}`, String(bytes), String(n)].map((VarCharValue) => ({
              VarCharValue,
            })),
          })),
        ],
      },
    };
  });
}

function finish() {
  const client = new AthenaClient({ region: "eu-west-1" });
  return athenaPredictFinish({
    athena: new AthenaQueryEngine({ workGroup: "hotels-dev-analytics", client, pollInitialMs: 1 }),
    store,
    layout,
    tables: new TableLog({ store, layout }),
    updateCount: athenaUpdateCount(client),
  });
}

const ctx = {
  runId: "run-1",
  step: "predict" as const,
  attempt: 1,
  request: { input: { kind: "none" as const } } as never,
  progress: () => {},
  ref: transformRef(JOB),
  trigger: makeEvent("ModelRegistered", "run-1", {
    model: "booking-cancellation",
    version: VERSION,
    promoted: true,
    metrics: {},
  }),
};
const statements = () => athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);

beforeEach(() => {
  s3.reset();
  athena.reset();
  for (const [key, bytes] of FILES) s3.put("hotels-dev-predictions", key, "x".repeat(bytes));
  s3.put(
    "hotels-dev-models",
    `booking-cancellation/${VERSION}/sagemaker.json`,
    JSON.stringify({ threshold: 0.42 }),
  );
});

describe("predictions SQL, derived from the schema", () => {
  it("inserts every column of predictions.booking_cancellations, partitions last, joined to curated.bookings", () => {
    const sql = insertPredictionsSql({
      transformTable: "transform_x",
      modelName: "booking-cancellation",
      modelVersion: "v'1",
      threshold: 0.42,
      scoredAt: new Date("2026-11-24T07:00:00.123Z"),
    });

    const names = allColumns(bookingPredictions).map((c) => c.name);
    expect(names.slice(-2)).toEqual(["arrival_year", "arrival_month"]);
    expect(sql.split("\n")[0]).toBe(`INSERT INTO predictions.booking_cancellations (${names.join(", ")})`);
    expect(sql).toContain("CASE WHEN t.probability >= 0.42 THEN 1 ELSE 0 END");
    expect(sql).toContain("'v''1'");
    expect(sql).toContain("TIMESTAMP '2026-11-24 07:00:00.123'");
    expect(sql).toMatch(/b\.is_canceled, 'booking-cancellation'.*b\.arrival_year, b\.arrival_month\n/);
    expect(sql).toContain(
      "FROM predictions.transform_x t\nJOIN curated.bookings b ON b.booking_id = t.booking_id",
    );
  });

  it("refuses a predictions column it has no expression for, and a threshold outside [0, 1]", () => {
    const grown = {
      ...bookingPredictions,
      columns: [...bookingPredictions.columns, col.string("explanation", "new column")],
    } as TableDef;
    const o = {
      transformTable: "t",
      modelName: "m",
      modelVersion: "v",
      threshold: 0.5,
      scoredAt: new Date(0),
    };

    expect(() => insertPredictionsSql(o, grown)).toThrow(
      "no expression for predictions.booking_cancellations.explanation",
    );
    expect(() => insertPredictionsSql({ ...o, threshold: 1.5 })).toThrow("threshold 1.5 is not in [0, 1]");
  });

  it("reads the transform output as headerless CSV with the schema's key and probability types", () => {
    const sql = transformOutputTableSql(transformTableName(JOB), "s3://hotels-dev-predictions/batch/j/");

    expect(sql).toBe(
      [
        "CREATE EXTERNAL TABLE IF NOT EXISTS predictions.transform_hotels_dev_score_run1 (`booking_id` bigint, `probability` double)",
        "ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n'",
        "STORED AS TEXTFILE",
        "LOCATION 's3://hotels-dev-predictions/batch/j/'",
      ].join("\n"),
    );
  });
});

describe("finishing the predict step on a Transform Job State Change (Athena mocked)", () => {
  it("creates the CSV table, INSERTs once, commits the files Athena wrote, drops the table", async () => {
    fakeAthena();

    const out = await finish()({ ok: true, details: { endTime: Date.UTC(2026, 10, 24, 7) } }, ctx);

    const q = statements();
    expect(q.map((x) => x.QueryString!.split(/\s/)[0])).toEqual([
      "CREATE",
      "SELECT",
      "INSERT",
      "SELECT",
      "DROP",
    ]);
    expect(q.every((x) => x.WorkGroup === "hotels-dev-analytics")).toBe(true);
    expect(q[0]!.QueryString).toContain(
      "LOCATION 's3://hotels-dev-predictions/batch/hotels-dev-score-RUN1/'",
    );
    expect(q[1]!.ExecutionParameters).toEqual([`'${VERSION}'`]);
    expect(q[2]!.QueryString).toContain("probability >= 0.42");
    expect(q[2]!.QueryString).toContain("TIMESTAMP '2026-11-24 07:00:00.000'");
    expect(q[4]!.QueryString).toBe("DROP TABLE IF EXISTS predictions.transform_hotels_dev_score_run1");
    expect(out).toMatchObject({
      kind: "done",
      data: { table: "predictions.booking_cancellations", version: 1, rows: 65 },
      counts: { rows: 65, files: 2 },
    });
    const snap = (await new TableLog({ store, layout }).current("predictions", "booking_cancellations"))!;
    expect(snap.files).toEqual([
      { key: FILES[0][0], rows: 40, bytes: 700, partition: { arrival_year: "2016", arrival_month: "12" } },
      { key: FILES[1][0], rows: 25, bytes: 500, partition: { arrival_year: "2017", arrival_month: "1" } },
    ]);
  });

  it("a redelivered completion inserts nothing again and keeps the same snapshot", async () => {
    fakeAthena();
    await finish()({ ok: true }, ctx);
    athena.reset();
    fakeAthena({ alreadyInserted: true });

    const again = await finish()({ ok: true }, ctx);

    expect(statements().map((x) => x.QueryString!.split(/\s/)[0])).toEqual(["CREATE", "SELECT", "DROP"]);
    expect(again).toMatchObject({ data: { version: 1, rows: 65 } });
  });

  it("fails when Athena's UpdateCount and the files' rows disagree (counts must balance)", async () => {
    fakeAthena({ updateCount: 64 });

    await expect(finish()({ ok: true }, ctx)).rejects.toThrow(
      "Athena inserted 64 rows but the version's files hold 65",
    );
  });
});
