import { allColumns } from "../lake.ts";
import type { Column, LogicalType, TableDef } from "../types.ts";

/** Hive/Glue type name of a logical type (what Athena and the Glue Data Catalog store). */
export function glueType(t: LogicalType): string {
  switch (t.kind) {
    case "string":
      return "string";
    case "int32":
      return "int";
    case "int64":
      return "bigint";
    case "double":
      return "double";
    case "decimal":
      return `decimal(${t.precision},${t.scale})`;
    case "boolean":
      return "boolean";
    case "date":
      return "date";
    case "timestamp":
      return "timestamp";
  }
}

/** Glue API `Column` shape (`@aws-sdk/client-glue`). */
export interface GlueColumn {
  readonly Name: string;
  readonly Type: string;
  readonly Comment?: string;
}
const glueColumn = (c: Column): GlueColumn => ({
  Name: c.name,
  Type: glueType(c.type),
  Comment: c.description,
});

export const PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
export const PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
export const PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";

/** Folder, inside a table's data folder, of its symlink manifests: one `manifest` object per partition
 * (`<k1=v1>/<k2=v2>/manifest`; unpartitioned: `manifest`) listing the URIs of the committed base files
 * (Delta Lake's "symlink format manifest" for Presto/Athena). The leading `_` hides it from Hive listings. */
export const SYMLINK_MANIFEST_FOLDER = "_symlink_format_manifest/";
/** A table stored as symlink manifests: each line of each file under the location is a data file's URI. */
export const SYMLINK_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat";
export const SYMLINK_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";

/** The catalog location of a table whose data folder is `tableLocation`: its manifest folder. */
export const symlinkManifestLocation = (tableLocation: string) =>
  `${tableLocation.endsWith("/") ? tableLocation : `${tableLocation}/`}${SYMLINK_MANIFEST_FOLDER}`;

/** Glue API `TableInput` for a Parquet lake table whose data folder is `tableLocation` (`s3://bucket/<table>/`
 * on AWS). Athena reads it through the symlink manifests the crawler publishes from the committed snapshot
 * (Location = the manifest folder, SymlinkTextInputFormat, the Parquet SerDe), never by listing the data
 * folder, which holds files of runs not committed yet and replaced files until vacuum. */
export function glueTableInput(t: TableDef, tableLocation: string) {
  return {
    Name: t.name,
    Description: t.description,
    TableType: "EXTERNAL_TABLE",
    Parameters: { classification: "parquet", "parquet.compression": "ZSTD", EXTERNAL: "TRUE" },
    PartitionKeys: (t.partitionKeys ?? []).map(glueColumn),
    StorageDescriptor: {
      Columns: t.columns.map(glueColumn),
      Location: symlinkManifestLocation(tableLocation),
      InputFormat: SYMLINK_INPUT_FORMAT,
      OutputFormat: SYMLINK_OUTPUT_FORMAT,
      SerdeInfo: { SerializationLibrary: PARQUET_SERDE, Parameters: { "serialization.format": "1" } },
    },
  };
}
export type GlueTableInput = ReturnType<typeof glueTableInput>;

/** The same table as `aws_glue_catalog_table` arguments (Terraform provider shape, snake_case). */
export function terraformGlueTable(t: TableDef, databaseName: string, location: string) {
  const col = (c: Column) => ({ name: c.name, type: glueType(c.type), comment: c.description });
  return {
    name: t.name,
    databaseName,
    description: t.description,
    tableType: "EXTERNAL_TABLE",
    parameters: { classification: "parquet", "parquet.compression": "ZSTD", EXTERNAL: "TRUE" },
    partitionKeys: (t.partitionKeys ?? []).map(col),
    storageDescriptor: {
      location,
      inputFormat: PARQUET_INPUT_FORMAT,
      outputFormat: PARQUET_OUTPUT_FORMAT,
      serDeInfo: { serializationLibrary: PARQUET_SERDE, parameters: { "serialization.format": "1" } },
      columns: t.columns.map(col),
    },
  };
}

/** Glue column types keyed by name (data then partition columns): what schema-drift checks compare. */
export function glueTypesByName(t: TableDef): Record<string, string> {
  return Object.fromEntries(allColumns(t).map((c) => [c.name, glueType(c.type)]));
}
