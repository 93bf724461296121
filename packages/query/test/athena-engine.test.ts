import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, test } from "vitest";
import {
  AthenaQueryEngine,
  athenaTimestamp,
  executionParameter,
  QueryAbortedError,
  QueryError,
  renameSchemas,
  runNamedQuery,
} from "../src/index.ts";

const athena = mockClient(AthenaClient);
const QID = "0f2c3a8e-1111-2222-3333-444455556666";

const engine = (over: Partial<ConstructorParameters<typeof AthenaQueryEngine>[0]> = {}) =>
  new AthenaQueryEngine({
    client: new AthenaClient({ region: "eu-west-1" }),
    workGroup: "hotels-dev",
    databases: { curated: "hotels_dev_curated", predictions: "hotels_dev_predictions" },
    pollInitialMs: 1,
    pollMaxMs: 4,
    ...over,
  });

const cols = [
  { Name: "hotel", Type: "varchar" },
  { Name: "bookings", Type: "bigint" },
  { Name: "lead_time", Type: "integer" },
  { Name: "revenue", Type: "decimal", Precision: 38, Scale: 2 },
  { Name: "arrival_date", Type: "date" },
  { Name: "scored_at", Type: "timestamp" },
  { Name: "city", Type: "boolean" },
  { Name: "rate", Type: "double" },
];
const row = (...v: (string | undefined)[]) => ({
  Data: v.map((x) => (x === undefined ? {} : { VarCharValue: x })),
});

beforeEach(() => athena.reset());

describe("AthenaQueryEngine", () => {
  test("start → poll with backoff → paginated results, typed from the result set metadata", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { QueryExecutionId: QID, Status: { State: "QUEUED" } } })
      .resolvesOnce({ QueryExecution: { QueryExecutionId: QID, Status: { State: "RUNNING" } } })
      .resolves({
        QueryExecution: {
          QueryExecutionId: QID,
          Status: { State: "SUCCEEDED" },
          Statistics: { DataScannedInBytes: 12345 },
        },
      });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: QID, NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: cols },
          Rows: [
            row(...cols.map((c) => c.Name)),
            row(
              "City Hotel",
              "79330",
              "104",
              "1234567.5",
              "2017-08-31",
              "2017-09-01 12:30:00.000",
              "true",
              "0.417",
            ),
          ],
        },
        NextToken: "page-2",
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: QID, NextToken: "page-2" })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: cols },
          Rows: [
            row(
              "Resort Hotel",
              "9007199254740993",
              undefined,
              undefined,
              undefined,
              undefined,
              "false",
              undefined,
            ),
          ],
        },
      });
    const r = await engine().query(
      "SELECT hotel, count(*) FROM curated.bookings b JOIN predictions.booking_cancellations p ON true WHERE hotel = ? AND lead_time > ?",
      ["City Hotel", 7],
    );

    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start).toEqual({
      QueryString:
        "SELECT hotel, count(*) FROM hotels_dev_curated.bookings b JOIN hotels_dev_predictions.booking_cancellations p ON true WHERE hotel = ? AND lead_time > ?",
      WorkGroup: "hotels-dev",
      QueryExecutionContext: { Catalog: "AwsDataCatalog" },
      ExecutionParameters: ["'City Hotel'", "7"],
    });
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    const pages = athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input);
    expect(pages).toEqual([
      { QueryExecutionId: QID, MaxResults: 1000 },
      { QueryExecutionId: QID, MaxResults: 1000, NextToken: "page-2" },
    ]);
    expect(r.queryId).toBe(QID);
    expect(r.stats?.bytesScanned).toBe(12345);
    expect(r.columns.map((c) => c.type)).toEqual([
      { kind: "string" },
      { kind: "int64" },
      { kind: "int32" },
      { kind: "decimal", precision: 38, scale: 2 },
      { kind: "date" },
      { kind: "timestamp" },
      { kind: "boolean" },
      { kind: "double" },
    ]);
    expect(r.rows).toEqual([
      {
        hotel: "City Hotel",
        bookings: 79330,
        lead_time: 104,
        revenue: "1234567.50",
        arrival_date: "2017-08-31",
        scored_at: new Date("2017-09-01T12:30:00.000Z"),
        city: true,
        rate: 0.417,
      },
      {
        hotel: "Resort Hotel",
        bookings: "9007199254740993", // beyond 2^53: exact text, never a rounded number
        lead_time: null,
        revenue: null,
        arrival_date: null,
        scored_at: null,
        city: false,
        rate: null,
      },
    ]);
  });

  test("execution parameters are SQL literals: quotes in strings are doubled, so injection stays a string", () => {
    expect(executionParameter("City Hotel' OR '1'='1")).toBe("'City Hotel'' OR ''1''=''1'");
    expect(executionParameter(2016)).toBe("2016");
    expect(executionParameter(0.5)).toBe("0.5");
    expect(executionParameter(true)).toBe("true");
    expect(executionParameter(null)).toBe("NULL");
    expect(() => executionParameter(Number.NaN)).toThrow(/finite/);
  });

  test("a failed query throws with Athena's reason, error type and the position", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        QueryExecutionId: QID,
        Status: {
          State: "FAILED",
          StateChangeReason: "COLUMN_NOT_FOUND: line 3:7: Column 'nosuch' cannot be resolved",
          AthenaError: {
            ErrorCategory: 2,
            ErrorType: 1006,
            Retryable: false,
            ErrorMessage: "COLUMN_NOT_FOUND",
          },
        },
      },
    });
    const err = await engine()
      .query("SELECT hotel\nFROM curated.bookings\nWHERE nosuch = 1")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).message).toBe(
      `Athena query ${QID} failed: COLUMN_NOT_FOUND: line 3:7: Column 'nosuch' cannot be resolved`,
    );
    expect((err as QueryError).details).toEqual({
      engine: "athena",
      queryId: QID,
      position: { line: 3, column: 7 },
      code: "2/1006",
    });
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  test("aborting stops the query with StopQueryExecution", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "RUNNING" } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const ac = new AbortController();
    const q = engine({ pollInitialMs: 5, pollMaxMs: 5 }).query("SELECT 1", [], { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(q).rejects.toBeInstanceOf(QueryAbortedError);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: QID },
    ]);
  });

  test("options: default database, explicit output location; DDL results have no header row", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: "tab_name", Type: "string" }] },
        Rows: [row("bookings")],
      },
    });
    const r = await engine({
      database: "hotels_dev_curated",
      outputLocation: "s3://results/",
      databases: undefined,
    }).query("SHOW TABLES");
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryString: "SHOW TABLES",
      WorkGroup: "hotels-dev",
      QueryExecutionContext: { Catalog: "AwsDataCatalog", Database: "hotels_dev_curated" },
      ResultConfiguration: { OutputLocation: "s3://results/" },
    });
    expect(r.rows).toEqual([{ tab_name: "bookings" }]);
  });

  test("a named query runs on Athena with its parameters in ? order", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
    await runNamedQuery(engine(), "adr_revenue_by_month", { hotel: "City Hotel", month: "7" });
    const input = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(input.ExecutionParameters).toEqual(["'City Hotel'", "'City Hotel'", "NULL", "NULL", "7", "7"]);
    expect(input.QueryString).toContain("FROM hotels_dev_curated.bookings b");
    expect(input.QueryString).toContain("-- ADR and revenue by arrival month and hotel");
  });
});

describe("athenaTimestamp", () => {
  test("reads Athena's timestamp texts as UTC instants; an unresolvable zone stays text", () => {
    expect(athenaTimestamp("2017-09-01 12:30:00.000")).toEqual(new Date("2017-09-01T12:30:00Z"));
    expect(athenaTimestamp("2017-09-01 12:30:00.000 UTC")).toEqual(new Date("2017-09-01T12:30:00Z"));
    expect(athenaTimestamp("2017-09-01 12:30:00.000 +01:00")).toEqual(new Date("2017-09-01T11:30:00Z"));
    expect(athenaTimestamp("2017-09-01 12:30:00.000 Europe/Lisbon")).toBe(
      "2017-09-01 12:30:00.000 Europe/Lisbon",
    );
  });
});

describe("renameSchemas", () => {
  test("renames zone qualifiers only in code, never in strings, comments or column references", () => {
    const sql =
      "SELECT b.hotel, 'curated.bookings' FROM curated.bookings b -- curated.x\nJOIN \"curated\".t ON x.curated = 1";
    expect(renameSchemas(sql, (s) => (s === "curated" ? "db_curated" : undefined))).toBe(
      "SELECT b.hotel, 'curated.bookings' FROM db_curated.bookings b -- curated.x\nJOIN \"curated\".t ON x.curated = 1",
    );
  });
});
