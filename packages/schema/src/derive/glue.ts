import { allColumns } from "../lake.ts";
import type { Column, LogicalType, TableDef, Zone } from "../types.ts";

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

/** Zones whose tables only the snapshot writers write (the ETL runners through `TableLog`, the Glue job):
 * their committed state is a snapshot, so external readers go by symlink manifests of it. Every other zone
 * is plain Parquet at the data folder — `predictions` because Athena `INSERT INTO` writes it on AWS, and
 * Athena cannot insert into a symlink-format table. The one rule the crawler, the catalog derivations and
 * the generated Glue script follow. */
export const SYMLINK_MANIFEST_ZONES: readonly Zone[] = ["raw", "processed", "curated", "rejected"];

/** Whether external readers read `t` through symlink manifests (see `SYMLINK_MANIFEST_ZONES`). */
export const usesSymlinkManifests = (t: Pick<TableDef, "zone">) => SYMLINK_MANIFEST_ZONES.includes(t.zone);

const withSlash = (location: string) => (location.endsWith("/") ? location : `${location}/`);

/** The catalog location of a table whose data folder is `tableLocation`: its manifest folder. */
export const symlinkManifestLocation = (tableLocation: string) =>
  `${withSlash(tableLocation)}${SYMLINK_MANIFEST_FOLDER}`;

/** Where the catalog points `t` whose data folder is `tableLocation`: the manifest folder for a manifest
 * zone, else the data folder itself. */
export const catalogLocation = (t: Pick<TableDef, "zone">, tableLocation: string) =>
  usesSymlinkManifests(t) ? symlinkManifestLocation(tableLocation) : withSlash(tableLocation);

/** Glue API `TableInput` for a Parquet lake table whose data folder is `tableLocation` (`s3://bucket/<table>/`
 * on AWS). A table of a manifest zone is read through the symlink manifests its writer publishes from the
 * committed snapshot (Location = the manifest folder, SymlinkTextInputFormat, the Parquet SerDe), never by
 * listing the data folder, which holds files of runs not committed yet and replaced files until vacuum.
 * Other tables (predictions) are plain Parquet at the data folder. */
export function glueTableInput(t: TableDef, tableLocation: string) {
  const symlink = usesSymlinkManifests(t);
  return {
    Name: t.name,
    Description: t.description,
    TableType: "EXTERNAL_TABLE",
    Parameters: { classification: "parquet", "parquet.compression": "ZSTD", EXTERNAL: "TRUE" },
    PartitionKeys: (t.partitionKeys ?? []).map(glueColumn),
    StorageDescriptor: {
      Columns: t.columns.map(glueColumn),
      Location: catalogLocation(t, tableLocation),
      InputFormat: symlink ? SYMLINK_INPUT_FORMAT : PARQUET_INPUT_FORMAT,
      OutputFormat: symlink ? SYMLINK_OUTPUT_FORMAT : PARQUET_OUTPUT_FORMAT,
      SerdeInfo: { SerializationLibrary: PARQUET_SERDE, Parameters: { "serialization.format": "1" } },
    },
  };
}
export type GlueTableInput = ReturnType<typeof glueTableInput>;

/** The same table as `aws_glue_catalog_table` arguments (Terraform provider shape), derived from
 * `glueTableInput` so that `terraform apply` and the crawlers agree on its shape (a difference would be
 * reverted by each in turn). `tableLocation` is the data folder. */
export function terraformGlueTable(t: TableDef, databaseName: string, tableLocation: string) {
  const g = glueTableInput(t, tableLocation);
  const sd = g.StorageDescriptor;
  const col = (c: GlueColumn) => ({ name: c.Name, type: c.Type, comment: c.Comment });
  return {
    name: g.Name,
    databaseName,
    description: g.Description,
    tableType: g.TableType,
    parameters: g.Parameters,
    partitionKeys: g.PartitionKeys.map(col),
    storageDescriptor: {
      location: sd.Location,
      inputFormat: sd.InputFormat,
      outputFormat: sd.OutputFormat,
      serDeInfo: {
        serializationLibrary: sd.SerdeInfo.SerializationLibrary,
        parameters: sd.SerdeInfo.Parameters,
      },
      columns: sd.Columns.map(col),
    },
  };
}

/** Glue column types keyed by name (data then partition columns): what schema-drift checks compare. */
export function glueTypesByName(t: TableDef): Record<string, string> {
  return Object.fromEntries(allColumns(t).map((c) => [c.name, glueType(c.type)]));
}
