import { describe, expect, it } from "vitest";
import {
  curatedBookings,
  curatedHotels,
  glueTableInput,
  PARQUET_SERDE,
  SYMLINK_INPUT_FORMAT,
  SYMLINK_MANIFEST_FOLDER,
  SYMLINK_OUTPUT_FORMAT,
  symlinkManifestLocation,
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
