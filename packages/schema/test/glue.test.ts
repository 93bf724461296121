import { describe, expect, it } from "vitest";
import {
  athenaCreateTable,
  bookingPredictions,
  catalogLocation,
  curatedBookings,
  curatedHotels,
  etlRejects,
  glueTableInput,
  lakeTables,
  PARQUET_INPUT_FORMAT,
  PARQUET_OUTPUT_FORMAT,
  PARQUET_SERDE,
  SYMLINK_INPUT_FORMAT,
  SYMLINK_MANIFEST_FOLDER,
  SYMLINK_OUTPUT_FORMAT,
  symlinkManifestLocation,
  terraformGlueTable,
  usesSymlinkManifests,
} from "../src/index.ts";

describe("glueTableInput", () => {
  it("points the table at its symlink manifest folder, read by SymlinkTextInputFormat with the Parquet SerDe", () => {
    // act
    const partitioned = glueTableInput(curatedBookings, "s3://hotels-dev-curated/bookings/");
    const plain = glueTableInput(curatedHotels, "s3://hotels-dev-curated/hotels");
    // assert
    expect(partitioned.StorageDescriptor).toMatchObject({
      Location: "s3://hotels-dev-curated/bookings/_symlink_format_manifest/",
      InputFormat: "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat",
      OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      SerdeInfo: {
        SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        Parameters: { "serialization.format": "1" },
      },
    });
    expect(partitioned.StorageDescriptor.InputFormat).toBe(SYMLINK_INPUT_FORMAT);
    expect(partitioned.StorageDescriptor.OutputFormat).toBe(SYMLINK_OUTPUT_FORMAT);
    expect(partitioned.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(PARQUET_SERDE);
    expect(partitioned.PartitionKeys.map((c) => c.Name)).toEqual(["arrival_year", "arrival_month"]);
    // a location without its trailing slash gets one before the folder
    expect(plain.StorageDescriptor.Location).toBe(
      `s3://hotels-dev-curated/hotels/${SYMLINK_MANIFEST_FOLDER}`,
    );
  });

  it("symlinkManifestLocation works for local file URIs too", () => {
    // act + assert
    expect(symlinkManifestLocation("file:///lake/curated/bookings/")).toBe(
      "file:///lake/curated/bookings/_symlink_format_manifest/",
    );
  });
});

describe("the manifest-zone rule", () => {
  it("raw, processed, curated and rejected tables use symlink manifests; predictions stay plain Parquet", () => {
    // act
    const byZone = Object.fromEntries(lakeTables.map((t) => [t.zone, usesSymlinkManifests(t)]));
    // assert
    expect(byZone).toEqual({
      raw: true,
      processed: true,
      curated: true,
      rejected: true,
      predictions: false,
    });
    expect(catalogLocation(etlRejects, "s3://b/etl_rejects")).toBe(
      "s3://b/etl_rejects/_symlink_format_manifest/",
    );
    expect(catalogLocation(bookingPredictions, "s3://b/booking_cancellations")).toBe(
      "s3://b/booking_cancellations/",
    );
  });

  it("glueTableInput: a predictions table is Parquet at its data folder (Athena INSERT INTO writes it)", () => {
    // act
    const input = glueTableInput(bookingPredictions, "s3://hotels-dev-predictions/booking_cancellations/");
    // assert
    expect(input.StorageDescriptor).toEqual({
      Columns: expect.any(Array),
      Location: "s3://hotels-dev-predictions/booking_cancellations/",
      InputFormat: PARQUET_INPUT_FORMAT,
      OutputFormat: PARQUET_OUTPUT_FORMAT,
      SerdeInfo: { SerializationLibrary: PARQUET_SERDE, Parameters: { "serialization.format": "1" } },
    });
  });
});

describe("terraformGlueTable", () => {
  it.each(lakeTables.map((t) => [`${t.zone}.${t.name}`, t] as const))(
    "%s has the shape glueTableInput gives it (terraform apply never reverts a crawl)",
    (_, t) => {
      // prepare
      const data = `s3://hotels-dev-${t.zone}/${t.name}/`;
      const g = glueTableInput(t, data);
      // act
      const tf = terraformGlueTable(t, t.zone, data);
      // assert
      expect(tf).toEqual({
        name: t.name,
        databaseName: t.zone,
        description: t.description,
        tableType: "EXTERNAL_TABLE",
        parameters: g.Parameters,
        partitionKeys: g.PartitionKeys.map((c) => ({ name: c.Name, type: c.Type, comment: c.Comment })),
        storageDescriptor: {
          location: g.StorageDescriptor.Location,
          inputFormat: g.StorageDescriptor.InputFormat,
          outputFormat: g.StorageDescriptor.OutputFormat,
          serDeInfo: { serializationLibrary: PARQUET_SERDE, parameters: { "serialization.format": "1" } },
          columns: g.StorageDescriptor.Columns.map((c) => ({
            name: c.Name,
            type: c.Type,
            comment: c.Comment,
          })),
        },
      });
    },
  );

  it("points a curated table at its manifest folder and a predictions table at its data folder", () => {
    // act
    const bookings = terraformGlueTable(curatedBookings, "curated", "s3://hotels-dev-curated/bookings/");
    const predictions = terraformGlueTable(
      bookingPredictions,
      "predictions",
      "s3://hotels-dev-predictions/booking_cancellations/",
    );
    // assert
    expect(bookings.storageDescriptor).toMatchObject({
      location: "s3://hotels-dev-curated/bookings/_symlink_format_manifest/",
      inputFormat: SYMLINK_INPUT_FORMAT,
      outputFormat: SYMLINK_OUTPUT_FORMAT,
    });
    expect(predictions.storageDescriptor).toMatchObject({
      location: "s3://hotels-dev-predictions/booking_cancellations/",
      inputFormat: PARQUET_INPUT_FORMAT,
      outputFormat: PARQUET_OUTPUT_FORMAT,
    });
  });
});

describe("athenaCreateTable", () => {
  it("a manifest-zone table: Parquet SerDe, SymlinkTextInputFormat, LOCATION at its manifest folder", () => {
    // act
    const ddl = athenaCreateTable(curatedHotels, "curated", "s3://hotels-dev-curated/hotels/");
    // assert
    expect(ddl.split("\n").slice(-5)).toEqual([
      "ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'",
      "STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'",
      "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
      "LOCATION 's3://hotels-dev-curated/hotels/_symlink_format_manifest/'",
      "TBLPROPERTIES ('parquet.compression'='ZSTD')",
    ]);
    expect(ddl).not.toContain("STORED AS PARQUET");
  });

  it("a predictions table: STORED AS PARQUET at its data folder", () => {
    // act
    const ddl = athenaCreateTable(
      bookingPredictions,
      "predictions",
      "s3://hotels-dev-predictions/booking_cancellations/",
    );
    // assert
    expect(ddl.split("\n").slice(-4)).toEqual([
      "ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'",
      "STORED AS PARQUET",
      "LOCATION 's3://hotels-dev-predictions/booking_cancellations/'",
      "TBLPROPERTIES ('parquet.compression'='ZSTD')",
    ]);
    expect(ddl).toContain("PARTITIONED BY (\n  `arrival_year` int,\n  `arrival_month` int\n)");
  });
});
