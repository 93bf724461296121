import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  BatchDeletePartitionCommand,
  BatchUpdatePartitionCommand,
  CreateDatabaseCommand,
  CreateTableCommand,
  EntityNotFoundException,
  GetPartitionsCommand,
  GetTableCommand,
  GetTablesCommand,
  GlueClient,
  UpdateTableCommand,
} from "@aws-sdk/client-glue";
import { curatedBookings, glueTableInput } from "@hotels/schema";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { GlueCatalog, LocalCatalog } from "../src/index.ts";

/** The table's data folder; the catalog points at its manifest folder. */
const LOCATION = "s3://hotels-dev-curated/bookings/";
const MANIFESTS = `${LOCATION}_symlink_format_manifest/`;
const SYMLINK = "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat";
const input = glueTableInput(curatedBookings, LOCATION);
const part = (y: number, m: number, root = MANIFESTS) => ({
  Values: [String(y), String(m)],
  StorageDescriptor: { Location: `${root}arrival_year=${y}/arrival_month=${m}/` },
});

describe("LocalCatalog", () => {
  it("keeps Glue-shaped databases, tables and partitions as JSON in the lake's _catalog bucket", async () => {
    // prepare
    const root = mkdtempSync(path.join(tmpdir(), "lake-"));
    const cat = new LocalCatalog(root);
    // act
    await cat.ensureDatabase("curated", "curated zone");
    await cat.ensureDatabase("curated");
    await cat.putTable("curated", input);
    const added = await cat.addPartitions("curated", "bookings", [
      part(2017, 7),
      part(2017, 8),
      part(2017, 7),
    ]);
    const again = await cat.addPartitions("curated", "bookings", [part(2017, 8), part(2017, 9)]);
    // assert
    expect([added, again]).toEqual([2, 1]);
    expect(await cat.getDatabases()).toEqual(["curated"]);
    const t = await cat.getTable("curated", "bookings");
    expect(t).toMatchObject({ DatabaseName: "curated", Name: "bookings", TableType: "EXTERNAL_TABLE" });
    expect(t?.UpdateTime).toBeInstanceOf(Date);
    expect(t?.StorageDescriptor.Columns).toEqual(input.StorageDescriptor.Columns);
    expect((await cat.getTables("curated")).map((x) => x.Name)).toEqual(["bookings"]);
    expect((await cat.getPartitions("curated", "bookings")).map((p) => p.Values.join("-"))).toEqual([
      "2017-7",
      "2017-8",
      "2017-9",
    ]);
    const onDisk = JSON.parse(readFileSync(path.join(root, "_catalog/tables/curated/bookings.json"), "utf8"));
    expect(onDisk.StorageDescriptor.Location).toBe(MANIFESTS);
    expect(await cat.getTable("curated", "nope")).toBeUndefined();
    await expect(cat.putTable("nodb", input)).rejects.toThrow(/database nodb does not exist/);
  });

  it("deletePartitions removes the given partitions from its JSON, absent ones are not counted", async () => {
    // prepare
    const root = mkdtempSync(path.join(tmpdir(), "lake-"));
    const cat = new LocalCatalog(root);
    await cat.ensureDatabase("curated");
    await cat.putTable("curated", input);
    await cat.addPartitions("curated", "bookings", [part(2017, 7), part(2017, 8), part(2017, 9)]);
    // act
    const removed = await cat.deletePartitions("curated", "bookings", [
      ["2017", "7"],
      ["2017", "9"],
      ["2018", "1"],
    ]);
    const again = await cat.deletePartitions("curated", "bookings", [["2017", "7"]]);
    // assert
    expect([removed, again]).toEqual([2, 0]);
    expect(await cat.getPartitions("curated", "bookings")).toEqual([part(2017, 8)]);
    const onDisk = JSON.parse(
      readFileSync(path.join(root, "_catalog/partitions/curated/bookings.json"), "utf8"),
    );
    expect(onDisk).toEqual([part(2017, 8)]);
    await expect(cat.deletePartitions("curated", "nope", [["2017", "8"]])).rejects.toThrow(
      /table curated.nope does not exist/,
    );
  });

  it("updatePartitions re-points existing partitions in its JSON, absent ones are skipped", async () => {
    // prepare: partitions registered at their Hive folders (a catalog made before symlink manifests)
    const root = mkdtempSync(path.join(tmpdir(), "lake-"));
    const cat = new LocalCatalog(root);
    await cat.ensureDatabase("curated");
    await cat.putTable("curated", input);
    await cat.addPartitions("curated", "bookings", [part(2017, 7, LOCATION), part(2017, 8, LOCATION)]);
    // act
    const updated = await cat.updatePartitions("curated", "bookings", [part(2017, 8), part(2018, 1)]);
    // assert
    expect(updated).toBe(1);
    expect(await cat.getPartitions("curated", "bookings")).toEqual([part(2017, 7, LOCATION), part(2017, 8)]);
    await expect(cat.updatePartitions("curated", "nope", [part(2017, 8)])).rejects.toThrow(
      /table curated.nope does not exist/,
    );
  });

  it("serialises concurrent partition additions (none lost)", async () => {
    const cat = new LocalCatalog(mkdtempSync(path.join(tmpdir(), "lake-")));
    await cat.ensureDatabase("curated");
    await cat.putTable("curated", input);
    const counts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => cat.addPartitions("curated", "bookings", [part(2016, i + 1)])),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
    expect(await cat.getPartitions("curated", "bookings")).toHaveLength(12);
  });
});

describe("GlueCatalog request shapes (aws-sdk-client-mock)", () => {
  const glue = mockClient(GlueClient);
  const catalog = new GlueCatalog({ client: new GlueClient({ region: "eu-west-1" }) });
  beforeEach(() => glue.reset());
  const notFound = () => new EntityNotFoundException({ message: "Table not found", $metadata: {} });
  const glueTable = {
    Name: "bookings",
    DatabaseName: "curated",
    TableType: "EXTERNAL_TABLE",
    Parameters: input.Parameters,
    PartitionKeys: input.PartitionKeys,
    StorageDescriptor: input.StorageDescriptor,
    UpdateTime: new Date("2026-01-01T00:00:00Z"),
  };

  it("CreateDatabase with a DatabaseInput; AlreadyExistsException is success", async () => {
    glue
      .on(CreateDatabaseCommand)
      .rejectsOnce(new AlreadyExistsException({ message: "exists", $metadata: {} }));
    await catalog.ensureDatabase("curated", "curated zone");
    expect(glue.commandCalls(CreateDatabaseCommand)[0]!.args[0].input).toEqual({
      DatabaseInput: { Name: "curated", Description: "curated zone" },
    });
    glue.on(CreateDatabaseCommand).rejects(new Error("AccessDenied"));
    await expect(catalog.ensureDatabase("curated")).rejects.toThrow(/AccessDenied/);
  });

  it("putTable: GetTable → CreateTable when absent, UpdateTable when present, with the schema's TableInput", async () => {
    glue.on(GetTableCommand).rejects(notFound());
    glue.on(CreateTableCommand).resolves({});
    await catalog.putTable("curated", input);
    expect(glue.commandCalls(GetTableCommand)[0]!.args[0].input).toEqual({
      DatabaseName: "curated",
      Name: "bookings",
    });
    const create = glue.commandCalls(CreateTableCommand)[0]!.args[0].input;
    expect(create.DatabaseName).toBe("curated");
    expect(create.TableInput).toEqual(input);
    expect(create.TableInput?.PartitionKeys?.map((c) => c.Name)).toEqual(["arrival_year", "arrival_month"]);
    // Athena reads the table through the symlink manifests, as Parquet
    expect(create.TableInput?.StorageDescriptor).toMatchObject({
      Location: "s3://hotels-dev-curated/bookings/_symlink_format_manifest/",
      InputFormat: "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat",
      OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
    });

    glue.reset();
    // a table made before symlink manifests: Hive folder, Parquet input format
    glue.on(GetTableCommand).resolves({
      Table: {
        ...glueTable,
        StorageDescriptor: {
          ...glueTable.StorageDescriptor,
          Location: LOCATION,
          InputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
          OutputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        },
      },
    });
    glue.on(UpdateTableCommand).resolves({});
    await catalog.putTable("curated", input);
    expect(glue.commandCalls(CreateTableCommand)).toHaveLength(0);
    expect(glue.commandCalls(UpdateTableCommand)[0]!.args[0].input).toEqual({
      DatabaseName: "curated",
      TableInput: input,
    });
  });

  it("getTable maps the Glue Table; EntityNotFoundException → undefined; GetTables paginates", async () => {
    glue.on(GetTableCommand, { Name: "bookings" }).resolves({ Table: glueTable });
    glue.on(GetTableCommand, { Name: "nope" }).rejects(notFound());
    expect(await catalog.getTable("curated", "bookings")).toMatchObject({
      DatabaseName: "curated",
      Name: "bookings",
      StorageDescriptor: { Location: MANIFESTS, InputFormat: SYMLINK },
    });
    expect(await catalog.getTable("curated", "nope")).toBeUndefined();
    // The SDK paginator reuses its input object, so record each request as sent.
    const calls: unknown[] = [];
    glue.on(GetTablesCommand).callsFake((req: { NextToken?: string }) => {
      calls.push(JSON.parse(JSON.stringify(req)));
      return req.NextToken
        ? { TableList: [{ ...glueTable, Name: "hotels" }] }
        : { TableList: [glueTable], NextToken: "t1" };
    });
    expect((await catalog.getTables("curated")).map((t) => t.Name)).toEqual(["bookings", "hotels"]);
    expect(calls).toEqual([{ DatabaseName: "curated" }, { DatabaseName: "curated", NextToken: "t1" }]);
  });

  it("getPartitions follows NextToken", async () => {
    glue
      .on(GetPartitionsCommand)
      .resolvesOnce({
        Partitions: [{ Values: ["2017", "7"], StorageDescriptor: { Location: "a" } }],
        NextToken: "n",
      })
      .resolvesOnce({
        Partitions: [{ Values: ["2017", "8"], StorageDescriptor: { Location: "b", InputFormat: SYMLINK } }],
      });
    expect(await catalog.getPartitions("curated", "bookings")).toEqual([
      { Values: ["2017", "7"], StorageDescriptor: { Location: "a" } },
      { Values: ["2017", "8"], StorageDescriptor: { Location: "b", InputFormat: SYMLINK } },
    ]);
    expect(glue.commandCalls(GetPartitionsCommand)[1]!.args[0].input).toEqual({
      DatabaseName: "curated",
      TableName: "bookings",
      NextToken: "n",
    });
  });

  it("addPartitions: only new ones, BatchCreatePartition in chunks of 100 with the TABLE's schema", async () => {
    glue.on(GetTableCommand).resolves({ Table: glueTable });
    glue
      .on(GetPartitionsCommand)
      .resolves({ Partitions: [{ Values: ["2000", "1"], StorageDescriptor: {} }] });
    glue.on(BatchCreatePartitionCommand).resolves({});
    const wanted = [part(2000, 1)];
    for (let i = 0; i < 230; i++) wanted.push(part(2001 + Math.floor(i / 12), (i % 12) + 1));
    const added = await catalog.addPartitions("curated", "bookings", wanted);
    expect(added).toBe(230);
    const calls = glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.PartitionInputList?.length)).toEqual([100, 100, 30]);
    const first = calls[0]!;
    expect(first.DatabaseName).toBe("curated");
    expect(first.TableName).toBe("bookings");
    const p = first.PartitionInputList![0]!;
    expect(p.Values).toEqual(["2001", "1"]);
    expect(p.StorageDescriptor).toEqual({
      ...input.StorageDescriptor,
      Location: `${MANIFESTS}arrival_year=2001/arrival_month=1/`,
    });
    expect(p.StorageDescriptor?.InputFormat).toBe(SYMLINK);
  });

  it("updatePartitions: BatchUpdatePartition in chunks of 100, each entry the TABLE's schema at its new location", async () => {
    // prepare
    glue.on(GetTableCommand).resolves({ Table: glueTable });
    glue.on(BatchUpdatePartitionCommand).resolves({});
    const wanted = Array.from({ length: 130 }, (_, i) => part(2001 + Math.floor(i / 12), (i % 12) + 1));
    // act
    const updated = await catalog.updatePartitions("curated", "bookings", wanted);
    // assert
    expect(updated).toBe(130);
    const calls = glue.commandCalls(BatchUpdatePartitionCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries?.length)).toEqual([100, 30]);
    expect(calls[0]).toMatchObject({ DatabaseName: "curated", TableName: "bookings" });
    expect(calls[0]!.Entries![0]).toEqual({
      PartitionValueList: ["2001", "1"],
      PartitionInput: {
        Values: ["2001", "1"],
        StorageDescriptor: {
          ...input.StorageDescriptor,
          Location: `${MANIFESTS}arrival_year=2001/arrival_month=1/`,
        },
      },
    });
    expect(calls[1]!.Entries!.at(-1)!.PartitionValueList).toEqual(["2011", "10"]);
    expect(await catalog.updatePartitions("curated", "bookings", [])).toBe(0);
    expect(glue.commandCalls(BatchUpdatePartitionCommand)).toHaveLength(2);
  });

  it("updatePartitions: a partition gone meanwhile is skipped, other per-partition errors are thrown after every chunk", async () => {
    // prepare: the first chunk has one partition deleted meanwhile and one failure, the second succeeds
    glue.on(GetTableCommand).resolves({ Table: glueTable });
    glue
      .on(BatchUpdatePartitionCommand)
      .resolvesOnce({
        Errors: [
          { PartitionValueList: ["2000", "1"], ErrorDetail: { ErrorCode: "EntityNotFoundException" } },
          {
            PartitionValueList: ["2000", "2"],
            ErrorDetail: { ErrorCode: "InvalidInputException", ErrorMessage: "bad location" },
          },
        ],
      })
      .resolvesOnce({});
    const wanted = Array.from({ length: 101 }, (_, i) => part(2000 + Math.floor(i / 12), (i % 12) + 1));
    // act + assert
    await expect(catalog.updatePartitions("curated", "bookings", wanted)).rejects.toThrow(
      /BatchUpdatePartition curated.bookings: 1 partition\(s\) not updated \(99 were\): \[2000,2\] InvalidInputException: bad location/,
    );
    expect(glue.commandCalls(BatchUpdatePartitionCommand)).toHaveLength(2);
    glue.reset();
    glue.on(GetTableCommand).resolves({ Table: glueTable });
    glue.on(BatchUpdatePartitionCommand).resolves({
      Errors: [{ PartitionValueList: ["2000", "1"], ErrorDetail: { ErrorCode: "EntityNotFoundException" } }],
    });
    expect(await catalog.updatePartitions("curated", "bookings", [part(2000, 1), part(2000, 2)])).toBe(1);
  });

  it("addPartitions: a partition added concurrently is fine, any other per-partition error is thrown", async () => {
    glue.on(GetTableCommand).resolves({ Table: glueTable });
    glue.on(GetPartitionsCommand).resolves({ Partitions: [] });
    glue.on(BatchCreatePartitionCommand).resolvesOnce({
      Errors: [{ PartitionValues: ["2017", "7"], ErrorDetail: { ErrorCode: "AlreadyExistsException" } }],
    });
    expect(await catalog.addPartitions("curated", "bookings", [part(2017, 7), part(2017, 8)])).toBe(1);
    glue.on(BatchCreatePartitionCommand).resolves({
      Errors: [
        {
          PartitionValues: ["2017", "9"],
          ErrorDetail: { ErrorCode: "InvalidInputException", ErrorMessage: "bad location" },
        },
      ],
    });
    await expect(catalog.addPartitions("curated", "bookings", [part(2017, 9)])).rejects.toThrow(
      /\[2017,9\] InvalidInputException: bad location/,
    );
  });

  it("deletePartitions: BatchDeletePartition in chunks of 25, PartitionsToDelete as PartitionValueLists", async () => {
    // prepare
    glue.on(BatchDeletePartitionCommand).resolves({});
    const values = Array.from({ length: 60 }, (_, i) => [
      String(2000 + Math.floor(i / 12)),
      String((i % 12) + 1),
    ]);
    // act
    const removed = await catalog.deletePartitions("curated", "bookings", [...values, values[0]!]);
    // assert
    expect(removed).toBe(60);
    const calls = glue.commandCalls(BatchDeletePartitionCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.PartitionsToDelete?.length)).toEqual([25, 25, 10]);
    expect(calls[0]).toEqual({
      DatabaseName: "curated",
      TableName: "bookings",
      PartitionsToDelete: values.slice(0, 25).map((v) => ({ Values: v })),
    });
    expect(calls[2]!.PartitionsToDelete).toEqual(values.slice(50).map((v) => ({ Values: v })));
    expect(await catalog.deletePartitions("curated", "bookings", [])).toBe(0);
    expect(glue.commandCalls(BatchDeletePartitionCommand)).toHaveLength(3);
  });

  it("deletePartitions: a partition already gone is fine, other per-partition errors are thrown after every chunk", async () => {
    // prepare: the first chunk has one partition deleted meanwhile and one failure, the second succeeds
    glue
      .on(BatchDeletePartitionCommand)
      .resolvesOnce({
        Errors: [
          { PartitionValues: ["2000", "1"], ErrorDetail: { ErrorCode: "EntityNotFoundException" } },
          {
            PartitionValues: ["2000", "2"],
            ErrorDetail: { ErrorCode: "InternalServiceException", ErrorMessage: "try again" },
          },
        ],
      })
      .resolvesOnce({});
    const values = Array.from({ length: 26 }, (_, i) => ["2000", String(i + 1)]);
    // act + assert
    await expect(catalog.deletePartitions("curated", "bookings", values)).rejects.toThrow(
      /BatchDeletePartition curated.bookings: 1 partition\(s\) not deleted \(24 were\): \[2000,2\] InternalServiceException: try again/,
    );
    expect(glue.commandCalls(BatchDeletePartitionCommand)).toHaveLength(2);

    glue.reset();
    glue.on(BatchDeletePartitionCommand).resolves({
      Errors: [{ PartitionValues: ["2000", "1"], ErrorDetail: { ErrorCode: "EntityNotFoundException" } }],
    });
    expect(
      await catalog.deletePartitions("curated", "bookings", [
        ["2000", "1"],
        ["2000", "3"],
      ]),
    ).toBe(1);
  });
});
