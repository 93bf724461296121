import {
  BatchCreatePartitionCommand,
  BatchUpdatePartitionCommand,
  CreateDatabaseCommand,
  CreateTableCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GlueClient,
  UpdateTableCommand,
} from "@aws-sdk/client-glue";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  bookingPredictions,
  curatedHotelDaily,
  curatedHotels,
  glueTableInput,
  PARQUET_INPUT_FORMAT,
  PARQUET_OUTPUT_FORMAT,
  SYMLINK_INPUT_FORMAT,
  schemaHash,
} from "@hotels/schema";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  crawl,
  dataFileKey,
  GlueCatalog,
  newRunId,
  publishedKey,
  publishManifests,
  readPublished,
  type Snapshot,
} from "../src/index.ts";
import { hotelDailyFixture, sampleSelect } from "./hotel-daily-fixture.ts";
import { type TempLake, tempLake } from "./temp-lake.ts";

let duck: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  duck = await DuckDBInstance.create();
  conn = await duck.connect();
});
afterAll(() => {
  conn?.closeSync();
  duck?.closeSync();
});

const { writeParquet, commitDaily } = hotelDailyFixture(() => conn);
const lake = () => tempLake("lake-manifests-");
const MANIFESTS = "hotel_daily/_symlink_format_manifest/";
const month = (m: number) => `stay_year=2017/stay_month=${m}/`;

/** The lines of a manifest object; undefined when it does not exist. */
async function manifest(l: TempLake, key: string): Promise<string[] | undefined> {
  if (!(await l.store.head("curated", key))) return undefined;
  return new TextDecoder()
    .decode(await l.store.get("curated", key))
    .split("\n")
    .filter(Boolean);
}

/** Keys under the table's manifest folder. */
async function manifestKeys(l: TempLake, prefix = MANIFESTS) {
  const keys: string[] = [];
  for await (const o of l.store.list("curated", prefix)) keys.push(o.key);
  return keys;
}

/** URIs of a snapshot's base files in one month, as a manifest lists them. */
const uris = (l: TempLake, s: Snapshot, m: number) =>
  s.files.filter((f) => f.key.includes(month(m))).map((f) => l.layout.uri("curated", f.key));

describe("crawl publishes symlink manifests", () => {
  it("one manifest per partition listing exactly the committed base files; the catalog points at them", async () => {
    // prepare: two months committed, plus an orphan of a crashed run in July's Hive folder
    const l = lake();
    const v1 = await commitDaily(l, [
      [2017, 7],
      [2017, 8],
    ]);
    await writeParquet(l, "curated", `hotel_daily/${month(7)}crashed-00000.parquet`, "select 1 x", 1);
    // act
    const r = await crawl(l);
    // assert
    expect(r.tables[0]).toMatchObject({ manifests: { version: 1, written: 2, deleted: 0 } });
    expect(r.manifestsWritten).toBe(2);
    expect(await manifestKeys(l)).toEqual([
      `${MANIFESTS}${month(7)}manifest`,
      `${MANIFESTS}${month(8)}manifest`,
    ]);
    expect(await l.store.head("curated", publishedKey("hotel_daily"))).toBeDefined();
    expect(await manifest(l, `${MANIFESTS}${month(7)}manifest`)).toEqual(uris(l, v1, 7));
    expect(await manifest(l, `${MANIFESTS}${month(8)}manifest`)).toEqual(uris(l, v1, 8));
    expect(uris(l, v1, 7)).toEqual([
      expect.stringMatching(/^file:\/\/.*\/curated\/hotel_daily\/stay_year=2017/),
    ]);
    const t = await l.catalog.getTable("curated", "hotel_daily");
    expect(t?.StorageDescriptor).toMatchObject({
      Location: l.layout.uri("curated", MANIFESTS),
      InputFormat: SYMLINK_INPUT_FORMAT,
    });
    expect((await l.catalog.getPartitions("curated", "hotel_daily")).map((p) => p.StorageDescriptor)).toEqual(
      [
        { Location: l.layout.uri("curated", `${MANIFESTS}${month(7)}`) },
        { Location: l.layout.uri("curated", `${MANIFESTS}${month(8)}`) },
      ],
    );
    expect(await readPublished(l.store, "curated", "hotel_daily")).toMatchObject({
      version: 1,
      versions: [1],
      manifests: 2,
      root: l.layout.uri("curated"),
    });
    // a crawl of the same version writes nothing
    expect((await crawl(l)).tables[0]!.manifests).toEqual({ version: 1, written: 0, deleted: 0 });
  });

  it("an unpartitioned table has one manifest at the root of its manifest folder", async () => {
    // prepare
    const l = lake();
    const run = newRunId();
    const files = [
      await writeParquet(l, "curated", dataFileKey("hotels", run, 0), sampleSelect(curatedHotels), 1),
      await writeParquet(l, "curated", dataFileKey("hotels", run, 1), sampleSelect(curatedHotels), 1),
    ];
    await l.log.commit("curated", "hotels", {
      runId: run,
      files,
      schemaHash: schemaHash(curatedHotels),
      operation: "overwrite",
    });
    // act
    await crawl({ ...l, tables: ["curated.hotels"] });
    // assert
    // the table's location holds its manifest and nothing else (the publication record lies beside it)
    expect(await manifestKeys(l, "hotels/_symlink_format_manifest/")).toEqual([
      "hotels/_symlink_format_manifest/manifest",
    ]);
    expect(publishedKey("hotels")).toBe("hotels/_symlink_published.json");
    expect(await manifest(l, "hotels/_symlink_format_manifest/manifest")).toEqual(
      files.map((f) => l.layout.uri("curated", f.key)),
    );
    expect((await l.catalog.getTable("curated", "hotels"))?.StorageDescriptor.Location).toBe(
      l.layout.uri("curated", "hotels/_symlink_format_manifest/"),
    );
  });

  it("after a partition is rewritten its manifest lists only the new files; a vanished partition loses its manifest", async () => {
    // prepare: July and August published, then August rewritten and July gone (a full rebuild)
    const l = lake();
    await commitDaily(l, [
      [2017, 7],
      [2017, 8],
    ]);
    await crawl(l);
    const v2 = await commitDaily(l, [[2017, 8]], false, "overwrite");
    // act
    const r = await crawl(l);
    // assert
    expect(r.tables[0]).toMatchObject({
      version: 2,
      partitionsRemoved: 1,
      manifests: { version: 2, written: 1, deleted: 1 },
    });
    expect(await manifest(l, `${MANIFESTS}${month(8)}manifest`)).toEqual(uris(l, v2, 8));
    expect(await manifest(l, `${MANIFESTS}${month(7)}manifest`)).toBeUndefined();
    expect(await manifestKeys(l)).toEqual([`${MANIFESTS}${month(8)}manifest`]);
    expect(await readPublished(l.store, "curated", "hotel_daily")).toMatchObject({
      version: 2,
      versions: [2],
    });
  });

  it("vacuum keeps the published version's files until the next crawl publishes, and never deletes manifests", async () => {
    // prepare: v1 (July, August) published; v2 rewrites both months; v3 rewrites August again, unpublished
    const l = lake();
    const v1 = await commitDaily(l, [
      [2017, 7],
      [2017, 8],
    ]);
    await crawl(l);
    const v2 = await commitDaily(l, [
      [2017, 7],
      [2017, 8],
    ]);
    const v3 = await commitDaily(l, [[2017, 8]]);
    const keys = (s: Snapshot) => s.files.map((f) => f.key);
    const exists = async (key: string) => (await l.store.head("curated", key)) !== undefined;
    // act: vacuum before the crawl publishes v3
    const before = await l.log.vacuum("curated", "hotel_daily");
    // assert: v1's files (Athena reads them) and v3's stay; v2's August file (neither) goes
    const v2August = keys(v2).find((k) => k.includes(month(8)))!;
    expect(before.deleted).toEqual([v2August]);
    for (const k of [...keys(v1), ...keys(v3)]) expect(await exists(k)).toBe(true);
    expect(await manifest(l, `${MANIFESTS}${month(7)}manifest`)).toEqual(uris(l, v1, 7));

    // act: the crawl publishes v3, then vacuum
    await crawl(l);
    const after = await l.log.vacuum("curated", "hotel_daily");
    // assert: v1's files go; the manifests and the publication record stay
    expect([...after.deleted].sort()).toEqual([...keys(v1)].sort());
    for (const k of keys(v3)) expect(await exists(k)).toBe(true);
    expect(await manifest(l, `${MANIFESTS}${month(8)}manifest`)).toEqual(uris(l, v3, 8));
    expect(await manifest(l, `${MANIFESTS}${month(7)}manifest`)).toEqual(uris(l, v3, 7));
    expect(await exists(publishedKey("hotel_daily"))).toBe(true);
  });

  it("a crawl that died while replacing manifests leaves both versions retained, and the next crawl completes it", async () => {
    // prepare: v1 published, then a crawl of v2 that stopped after recording v2 as pending
    const l = lake();
    const v1 = await commitDaily(l, [[2017, 7]]);
    await crawl(l);
    await commitDaily(l, [[2017, 7]]);
    const published = (await readPublished(l.store, "curated", "hotel_daily"))!;
    await l.store.put(
      "curated",
      publishedKey("hotel_daily"),
      JSON.stringify({ ...published, versions: [1, 2] }),
    );
    // act + assert: vacuum keeps v1's file (a manifest may still list it)
    expect((await l.log.vacuum("curated", "hotel_daily")).deleted).toEqual([]);
    const r = await crawl(l);
    expect(r.tables[0]!.manifests).toEqual({ version: 2, written: 1, deleted: 0 });
    expect((await l.log.vacuum("curated", "hotel_daily")).deleted).toEqual(v1.files.map((f) => f.key));
  });
});

describe("crawl migrates a catalog made before symlink manifests", () => {
  /** The table definition as crawls wrote it before: Hive data folder, Parquet input format. */
  const oldShape = (location: string) => {
    const input = glueTableInput(curatedHotelDaily, location);
    return {
      ...input,
      StorageDescriptor: {
        ...input.StorageDescriptor,
        Location: location,
        InputFormat: PARQUET_INPUT_FORMAT,
        OutputFormat: PARQUET_OUTPUT_FORMAT,
      },
    };
  };

  it("local catalog: the table is rewritten and every partition re-pointed at its manifest folder, once", async () => {
    // prepare
    const l = lake();
    await commitDaily(l, [
      [2017, 7],
      [2017, 8],
    ]);
    const data = l.layout.uri("curated", "hotel_daily/");
    await l.catalog.ensureDatabase("curated");
    await l.catalog.putTable("curated", oldShape(data));
    await l.catalog.addPartitions("curated", "hotel_daily", [
      { Values: ["2017", "7"], StorageDescriptor: { Location: `${data}${month(7)}` } },
      { Values: ["2017", "8"], StorageDescriptor: { Location: `${data}${month(8)}` } },
    ]);
    // act
    const first = await crawl(l);
    const second = await crawl(l);
    // assert
    expect(first.tables[0]).toMatchObject({ action: "updated", partitionsAdded: 0, partitionsUpdated: 2 });
    expect(first.partitionsUpdated).toBe(2);
    expect((await l.catalog.getTable("curated", "hotel_daily"))?.StorageDescriptor).toMatchObject({
      Location: l.layout.uri("curated", MANIFESTS),
      InputFormat: SYMLINK_INPUT_FORMAT,
    });
    expect(await l.catalog.getPartitions("curated", "hotel_daily")).toEqual([
      {
        Values: ["2017", "7"],
        StorageDescriptor: { Location: l.layout.uri("curated", `${MANIFESTS}${month(7)}`) },
      },
      {
        Values: ["2017", "8"],
        StorageDescriptor: { Location: l.layout.uri("curated", `${MANIFESTS}${month(8)}`) },
      },
    ]);
    expect(second.tables[0]).toMatchObject({ action: "unchanged", partitionsUpdated: 0 });
  });

  it("Glue: UpdateTable to the symlink shape, BatchUpdatePartition for partitions at a Hive folder or in the Parquet format", async () => {
    // prepare: a local lake (manifests written there) catalogued in a mocked Glue Data Catalog
    const l = lake();
    await commitDaily(l, [
      [2017, 7],
      [2017, 8],
      [2017, 9],
    ]);
    const data = l.layout.uri("curated", "hotel_daily/");
    const manifests = l.layout.uri("curated", MANIFESTS);
    const glue = mockClient(GlueClient);
    try {
      glue.on(CreateDatabaseCommand).resolves({});
      // GetTable answers what the last UpdateTable wrote, as Glue would
      let table: object = oldShape(data);
      glue.on(GetTableCommand).callsFake(() => ({ Table: { ...table, DatabaseName: "curated" } }));
      glue.on(UpdateTableCommand).callsFake((req: { TableInput: object }) => {
        table = req.TableInput;
        return {};
      });
      glue.on(GetPartitionsCommand).resolves({
        Partitions: [
          // registered by an older crawl: Hive folder, Parquet format
          {
            Values: ["2017", "7"],
            StorageDescriptor: { Location: `${data}${month(7)}`, InputFormat: PARQUET_INPUT_FORMAT },
          },
          // at its manifest folder but in the old format (e.g. a Glue crawler inheriting an old table)
          {
            Values: ["2017", "8"],
            StorageDescriptor: { Location: `${manifests}${month(8)}`, InputFormat: PARQUET_INPUT_FORMAT },
          },
          // already right
          {
            Values: ["2017", "9"],
            StorageDescriptor: { Location: `${manifests}${month(9)}`, InputFormat: SYMLINK_INPUT_FORMAT },
          },
        ],
      });
      glue.on(BatchUpdatePartitionCommand).resolves({});
      // act
      const r = await crawl({
        ...l,
        catalog: new GlueCatalog({ client: new GlueClient({ region: "eu-west-1" }) }),
      });
      // assert
      expect(r.tables[0]).toMatchObject({ action: "updated", partitionsUpdated: 2, partitionsAdded: 0 });
      const update = glue.commandCalls(UpdateTableCommand)[0]!.args[0].input;
      expect(update.TableInput?.StorageDescriptor).toMatchObject({
        Location: manifests,
        InputFormat: "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat",
        OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
      });
      const entries = glue
        .commandCalls(BatchUpdatePartitionCommand)
        .flatMap((c) => c.args[0].input.Entries ?? []);
      expect(entries.map((e) => e.PartitionValueList)).toEqual([
        ["2017", "7"],
        ["2017", "8"],
      ]);
      expect(entries[0]!.PartitionInput?.Values).toEqual(["2017", "7"]);
      // each partition gets the (updated) table's formats and SerDe at its manifest folder
      expect(entries[0]!.PartitionInput?.StorageDescriptor).toEqual({
        ...update.TableInput?.StorageDescriptor,
        Location: `${manifests}${month(7)}`,
      });
      expect(entries[1]!.PartitionInput?.StorageDescriptor?.InputFormat).toBe(SYMLINK_INPUT_FORMAT);
      expect(glue.commandCalls(BatchCreatePartitionCommand)).toHaveLength(0);
    } finally {
      glue.restore();
    }
  });
});

describe("a predictions table stays plain Parquet at its data folder (Athena INSERT INTO writes it on AWS)", () => {
  const TABLE = bookingPredictions.name;
  const DATA = `${TABLE}/`;
  const MONTH = (m: number) => `arrival_year=2017/arrival_month=${m}/`;

  /** Commits one predictions file per month. */
  async function commitPredictions(l: TempLake, months: number[]) {
    const run = newRunId();
    const files = [];
    for (const [i, m] of months.entries()) {
      const partition = { arrival_year: "2017", arrival_month: String(m) };
      const key = dataFileKey(TABLE, run, i, partition);
      files.push({
        ...(await writeParquet(l, "predictions", key, sampleSelect(bookingPredictions), 1)),
        partition,
      });
    }
    return l.log.commit("predictions", TABLE, {
      runId: run,
      files,
      schemaHash: schemaHash(bookingPredictions),
      operation: "append",
    });
  }

  /** Keys under the predictions table's manifest folder. */
  async function predictionManifests(l: TempLake) {
    const keys: string[] = [];
    for await (const o of l.store.list("predictions", `${DATA}_symlink_format_manifest/`)) keys.push(o.key);
    return keys;
  }

  /** The shape an earlier crawl gave it: manifest folder, SymlinkTextInputFormat. */
  const symlinkShape = (l: TempLake) => {
    const input = glueTableInput(bookingPredictions, l.layout.uri("predictions", DATA));
    return {
      ...input,
      StorageDescriptor: {
        ...input.StorageDescriptor,
        Location: l.layout.uri("predictions", `${DATA}_symlink_format_manifest/`),
        InputFormat: SYMLINK_INPUT_FORMAT,
        OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      },
    };
  };

  it("is catalogued at its data folder with the Parquet input format, partitions at their Hive folders, no manifest", async () => {
    // prepare
    const l = lake();
    await commitPredictions(l, [7, 8]);
    // act
    const r = await crawl({ ...l, tables: ["predictions.booking_cancellations"] });
    const again = await crawl({ ...l, tables: ["predictions.booking_cancellations"] });
    // assert
    expect(r.drift).toEqual([]);
    expect(r.tables[0]).toMatchObject({
      action: "created",
      partitionsAdded: 2,
      manifests: { version: 0, written: 0, deleted: 0 },
    });
    expect(r.manifestsWritten).toBe(0);
    expect((await l.catalog.getTable("predictions", TABLE))?.StorageDescriptor).toMatchObject({
      Location: l.layout.uri("predictions", DATA),
      InputFormat: PARQUET_INPUT_FORMAT,
      OutputFormat: PARQUET_OUTPUT_FORMAT,
    });
    expect((await l.catalog.getPartitions("predictions", TABLE)).map((p) => p.StorageDescriptor)).toEqual([
      { Location: l.layout.uri("predictions", `${DATA}${MONTH(7)}`) },
      { Location: l.layout.uri("predictions", `${DATA}${MONTH(8)}`) },
    ]);
    expect(await predictionManifests(l)).toEqual([]);
    expect(again.tables[0]).toMatchObject({ action: "unchanged", partitionsAdded: 0, partitionsUpdated: 0 });
  });

  it("local catalog: a table an earlier crawl published as manifests is brought back, and its manifests removed", async () => {
    // prepare: v1 published as manifests, catalogued at the manifest folders (the previous crawler)
    const l = lake();
    const v1 = await commitPredictions(l, [7, 8]);
    await publishManifests({
      store: l.store,
      layout: l.layout,
      zone: "predictions",
      table: TABLE,
      partitionNames: ["arrival_year", "arrival_month"],
      snapshot: v1,
    });
    const manifests = l.layout.uri("predictions", `${DATA}_symlink_format_manifest/`);
    await l.catalog.ensureDatabase("predictions");
    await l.catalog.putTable("predictions", symlinkShape(l));
    await l.catalog.addPartitions("predictions", TABLE, [
      { Values: ["2017", "7"], StorageDescriptor: { Location: `${manifests}${MONTH(7)}` } },
      { Values: ["2017", "8"], StorageDescriptor: { Location: `${manifests}${MONTH(8)}` } },
    ]);
    expect(await predictionManifests(l)).toHaveLength(2);
    expect(await readPublished(l.store, "predictions", TABLE)).toBeDefined();
    // act
    const first = await crawl(l);
    const second = await crawl(l);
    // assert
    const t = (r: typeof first) => r.tables.find((x) => x.table === "predictions.booking_cancellations")!;
    expect(t(first)).toMatchObject({
      action: "updated",
      partitionsUpdated: 2,
      manifests: { version: 0, written: 0, deleted: 2 },
    });
    expect((await l.catalog.getTable("predictions", TABLE))?.StorageDescriptor).toMatchObject({
      Location: l.layout.uri("predictions", DATA),
      InputFormat: PARQUET_INPUT_FORMAT,
    });
    expect((await l.catalog.getPartitions("predictions", TABLE)).map((p) => p.StorageDescriptor)).toEqual([
      { Location: l.layout.uri("predictions", `${DATA}${MONTH(7)}`) },
      { Location: l.layout.uri("predictions", `${DATA}${MONTH(8)}`) },
    ]);
    // the manifests and the publication record are gone: vacuum no longer keeps v1's files for them
    expect(await predictionManifests(l)).toEqual([]);
    expect(await readPublished(l.store, "predictions", TABLE)).toBeUndefined();
    expect(t(second)).toMatchObject({
      action: "unchanged",
      partitionsUpdated: 0,
      manifests: { version: 0, written: 0, deleted: 0 },
    });
  });

  it("Glue: UpdateTable to Parquet at the data folder, BatchUpdatePartition to the Hive folders in the Parquet format", async () => {
    // prepare: the Glue catalog holds the symlink shape an earlier crawl wrote
    const l = lake();
    await commitPredictions(l, [7, 8]);
    const data = l.layout.uri("predictions", DATA);
    const manifests = `${data}_symlink_format_manifest/`;
    const glue = mockClient(GlueClient);
    try {
      glue.on(CreateDatabaseCommand).resolves({});
      let table: object = symlinkShape(l);
      glue.on(GetTableCommand).callsFake(() => ({ Table: { ...table, DatabaseName: "predictions" } }));
      glue.on(UpdateTableCommand).callsFake((req: { TableInput: object }) => {
        table = req.TableInput;
        return {};
      });
      glue.on(GetPartitionsCommand).resolves({
        Partitions: [7, 8].map((m) => ({
          Values: ["2017", String(m)],
          StorageDescriptor: { Location: `${manifests}${MONTH(m)}`, InputFormat: SYMLINK_INPUT_FORMAT },
        })),
      });
      glue.on(BatchUpdatePartitionCommand).resolves({});
      // act
      const r = await crawl({
        ...l,
        tables: ["predictions.booking_cancellations"],
        catalog: new GlueCatalog({ client: new GlueClient({ region: "eu-west-1" }) }),
      });
      // assert
      expect(r.tables[0]).toMatchObject({ action: "updated", partitionsUpdated: 2, partitionsAdded: 0 });
      expect(glue.commandCalls(CreateTableCommand)).toHaveLength(0);
      const update = glue.commandCalls(UpdateTableCommand)[0]!.args[0].input;
      expect(update).toMatchObject({ DatabaseName: "predictions", TableInput: { Name: TABLE } });
      expect(update.TableInput?.StorageDescriptor).toMatchObject({
        Location: data,
        InputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        OutputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
      });
      const entries = glue
        .commandCalls(BatchUpdatePartitionCommand)
        .flatMap((c) => c.args[0].input.Entries ?? []);
      expect(entries.map((e) => e.PartitionValueList)).toEqual([
        ["2017", "7"],
        ["2017", "8"],
      ]);
      expect(entries.map((e) => e.PartitionInput?.StorageDescriptor?.Location)).toEqual([
        `${data}${MONTH(7)}`,
        `${data}${MONTH(8)}`,
      ]);
      for (const e of entries)
        expect(e.PartitionInput?.StorageDescriptor?.InputFormat).toBe(PARQUET_INPUT_FORMAT);
    } finally {
      glue.restore();
    }
  });
});
