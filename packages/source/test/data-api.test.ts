import {
  BatchExecuteStatementCommand,
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
} from "@aws-sdk/client-rds-data";
import { bookings, copyTextLine, hotels } from "@hotels/schema";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { openDataApi } from "../src/data-api.ts";

const ARNS = {
  resourceArn: "arn:aws:rds:eu-west-1:123456789012:cluster:hotels-dev",
  secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hotels-dev-db",
  database: "hotels",
};
const mock = mockClient(RDSDataClient);
const open = (extra = {}) =>
  openDataApi({ ...ARNS, client: new RDSDataClient({ region: "eu-west-1" }), ...extra });

async function* from<T>(xs: readonly T[]): AsyncGenerator<T> {
  yield* xs;
}

describe("RDS Data API adapter: request shapes", () => {
  beforeEach(() => mock.reset());

  it("sends ExecuteStatement with named, typed parameters and maps records by column metadata", async () => {
    // prepare
    mock.on(ExecuteStatementCommand).resolves({
      columnMetadata: [
        { name: "hotel_id", typeName: "int4" },
        { name: "updated_at", typeName: "timestamptz" },
        { name: "adr", typeName: "numeric" },
      ],
      records: [[{ longValue: 1 }, { stringValue: "2020-01-02 03:04:05.678" }, { isNull: true }]],
    });
    const db = open();
    // act
    const rows = await db.query(
      "SELECT * FROM t WHERE a = $1 AND b > $2 AND c = $3 AND d = $4 AND e IS $5 AND f = $6",
      [7, new Date("2020-01-01T00:00:00Z"), "2015-07-01", "Lisbon", null, 1.5],
    );
    // assert
    const input = mock.commandCalls(ExecuteStatementCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ ...ARNS, includeResultMetadata: true });
    expect(input.sql).toBe(
      "SELECT * FROM t WHERE a = :p1 AND b > :p2 AND c = :p3 AND d = :p4 AND e IS :p5 AND f = :p6",
    );
    expect(input.parameters).toEqual([
      { name: "p1", value: { longValue: 7 } },
      { name: "p2", value: { stringValue: "2020-01-01 00:00:00.000" }, typeHint: "TIMESTAMP" },
      { name: "p3", value: { stringValue: "2015-07-01" }, typeHint: "DATE" },
      { name: "p4", value: { stringValue: "Lisbon" } },
      { name: "p5", value: { isNull: true } },
      { name: "p6", value: { doubleValue: 1.5 } },
    ]);
    expect(input.transactionId).toBeUndefined();
    expect(rows).toEqual([{ hotel_id: 1, updated_at: new Date("2020-01-02T03:04:05.678Z"), adr: null }]);
  });

  it("leaves $n inside string literals alone", async () => {
    mock.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 3 });
    const n = await open().execute("UPDATE t SET a = '$1' WHERE b = $1", ["x"]);
    expect(n).toBe(3);
    expect(mock.commandCalls(ExecuteStatementCommand)[0]!.args[0].input.sql).toBe(
      "UPDATE t SET a = '$1' WHERE b = :p1",
    );
  });

  it("runs a transaction: Begin, statements with its id, Commit; Rollback when the body throws", async () => {
    // prepare
    mock.on(BeginTransactionCommand).resolves({ transactionId: "tx-1" });
    mock.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 1 });
    mock.on(CommitTransactionCommand).resolves({ transactionStatus: "Transaction Committed" });
    mock.on(RollbackTransactionCommand).resolves({ transactionStatus: "Rollback Complete" });
    const db = open();
    // act
    await db.transaction((tx) => tx.execute("DELETE FROM t"));
    await expect(
      db.transaction(async (tx) => {
        await tx.execute("DELETE FROM t");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    // assert
    expect(mock.commandCalls(BeginTransactionCommand)[0]!.args[0].input).toEqual(ARNS);
    expect(mock.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input.transactionId)).toEqual([
      "tx-1",
      "tx-1",
    ]);
    expect(mock.commandCalls(CommitTransactionCommand)).toHaveLength(1);
    expect(mock.commandCalls(CommitTransactionCommand)[0]!.args[0].input).toEqual({
      ...ARNS,
      transactionId: "tx-1",
    });
    expect(mock.commandCalls(RollbackTransactionCommand)[0]!.args[0].input).toEqual({
      ...ARNS,
      transactionId: "tx-1",
    });
  });

  it("copies in through BatchExecuteStatement, ≤ 1000 typed parameter sets a call, in one transaction", async () => {
    // prepare
    mock.on(BeginTransactionCommand).resolves({ transactionId: "tx-2" });
    mock.on(BatchExecuteStatementCommand).resolves({ updateResults: [] });
    mock.on(CommitTransactionCommand).resolves({});
    const row = {
      booking_id: 1,
      hotel_id: 2,
      customer_id: null,
      is_canceled: true,
      lead_time: 5,
      arrival_date: "2015-07-01",
      arrival_date_year: 2015,
      arrival_date_month: 7,
      arrival_date_week_number: 27,
      arrival_date_day_of_month: 1,
      stays_in_weekend_nights: 0,
      stays_in_week_nights: 2,
      adults: 2,
      children: null,
      babies: 0,
      meal: "BB",
      country: "PRT",
      market_segment: "Direct",
      distribution_channel: "Direct",
      is_repeated_guest: false,
      previous_cancellations: 0,
      previous_bookings_not_canceled: 0,
      reserved_room_type: "A",
      assigned_room_type: "A",
      booking_changes: 0,
      deposit_type: "No Deposit",
      agent: null,
      company: null,
      days_in_waiting_list: 0,
      customer_type: "Transient",
      adr: "-6.38",
      required_car_parking_spaces: 0,
      total_of_special_requests: 0,
      reservation_status: "Canceled",
      reservation_status_date: "2015-06-01",
      updated_at: new Date("2015-06-01T00:00:00Z"),
    };
    const lines = Array.from({ length: 2500 }, (_, i) =>
      copyTextLine(bookings.columns, { ...row, booking_id: i + 1 }),
    );
    // act
    const n = await open().copyIn("bookings", bookings.columns, from(lines));
    // assert
    expect(n).toBe(2500);
    const calls = mock.commandCalls(BatchExecuteStatementCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.parameterSets!.length)).toEqual([1000, 1000, 500]);
    expect(calls.every((c) => c.transactionId === "tx-2" && c.resourceArn === ARNS.resourceArn)).toBe(true);
    expect(calls[0]!.sql).toMatch(
      /^INSERT INTO "bookings" \("booking_id", "hotel_id", .*\) VALUES \(:c0, :c1, .*:c35\)$/,
    );
    const set = calls[0]!.parameterSets![0]!;
    const byName = (col: string) => set[bookings.columns.findIndex((c) => c.name === col)];
    expect(byName("booking_id")).toEqual({ name: "c0", value: { longValue: 1 } });
    expect(byName("customer_id")?.value).toEqual({ isNull: true });
    expect(byName("is_canceled")?.value).toEqual({ booleanValue: true });
    expect(byName("adr")).toMatchObject({ value: { stringValue: "-6.38" }, typeHint: "DECIMAL" });
    expect(byName("arrival_date")).toMatchObject({ value: { stringValue: "2015-07-01" }, typeHint: "DATE" });
    expect(byName("updated_at")).toMatchObject({
      value: { stringValue: "2015-06-01 00:00:00.000" },
      typeHint: "TIMESTAMP",
    });
    expect(mock.commandCalls(CommitTransactionCommand)).toHaveLength(1);
  });

  it("splits copyIn items that hold several newline-joined lines into one parameter set per line", async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: "tx-4" });
    mock.on(BatchExecuteStatementCommand).resolves({});
    mock.on(CommitTransactionCommand).resolves({});
    const h = (id: number) =>
      copyTextLine(hotels.columns, {
        hotel_id: id,
        name: "n",
        hotel_type: "City Hotel",
        city: "c",
        country: "PRT",
        star_rating: 3,
        room_count: 1,
        created_at: new Date(0),
        updated_at: new Date(0),
      });
    const n = await open().copyIn("hotels", hotels.columns, from([`${h(1)}\n${h(2)}`, h(3)]));
    expect(n).toBe(3);
    const sets = mock.commandCalls(BatchExecuteStatementCommand)[0]!.args[0].input.parameterSets!;
    expect(sets.map((set) => set[0]!.value!.longValue)).toEqual([1, 2, 3]);
  });

  it("keeps each BatchExecuteStatement under the request size budget", async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: "tx-3" });
    mock.on(BatchExecuteStatementCommand).resolves({});
    mock.on(CommitTransactionCommand).resolves({});
    const big = "x".repeat(10_000);
    const lines = Array.from({ length: 20 }, (_, i) =>
      copyTextLine(hotels.columns, {
        hotel_id: i + 1,
        name: big,
        hotel_type: "City Hotel",
        city: "c",
        country: "PRT",
        star_rating: 3,
        room_count: 1,
        created_at: new Date(0),
        updated_at: new Date(0),
      }),
    );
    await open({ batchBytes: 50_000 }).copyIn("hotels", hotels.columns, from(lines));
    const sizes = mock
      .commandCalls(BatchExecuteStatementCommand)
      .map((c) => c.args[0].input.parameterSets!.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
  });

  it("pages copyOut with LIMIT/OFFSET parameters, halving the page when a response is over 1 MiB", async () => {
    // prepare: a page of 4 is too large, pages of 2 fit; 3 rows in all
    mock
      .on(ExecuteStatementCommand)
      .rejectsOnce(
        Object.assign(new Error("Database returned more than the allowed response size limit"), {
          name: "BadRequestException",
        }),
      )
      .resolvesOnce({
        columnMetadata: [
          { name: "a", typeName: "int4" },
          { name: "t", typeName: "timestamptz" },
          { name: "s", typeName: "text" },
        ],
        records: [
          [{ longValue: 1 }, { stringValue: "2020-01-01 00:00:00" }, { stringValue: "a\tb" }],
          [{ longValue: 2 }, { isNull: true }, { booleanValue: true }],
        ],
      })
      .resolvesOnce({
        columnMetadata: [
          { name: "a", typeName: "int4" },
          { name: "t", typeName: "timestamptz" },
          { name: "s", typeName: "text" },
        ],
        records: [[{ longValue: 3 }, { isNull: true }, { stringValue: "z" }]],
      });
    // act
    const out: string[] = [];
    for await (const l of open({ pageRows: 4 }).copyOut("SELECT a, t, s FROM x WHERE a > $1 ORDER BY a", [0]))
      out.push(l);
    // assert
    expect(out).toEqual(["1\t2020-01-01 00:00:00+00\ta\\tb", "2\t\\N\tt", "3\t\\N\tz"]);
    const inputs = mock.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input);
    expect(inputs[0]!.sql).toBe(
      "SELECT * FROM (SELECT a, t, s FROM x WHERE a > :p1 ORDER BY a) AS q LIMIT :p2 OFFSET :p3",
    );
    expect(inputs.map((i) => i.parameters!.slice(1).map((p) => p.value!.longValue))).toEqual([
      [4, 0],
      [2, 0],
      [2, 2],
    ]);
  });
});
