import type { TableDef } from "../types.ts";
import {
  glueType,
  PARQUET_SERDE,
  SYMLINK_INPUT_FORMAT,
  SYMLINK_OUTPUT_FORMAT,
  symlinkManifestLocation,
  usesSymlinkManifests,
} from "./glue.ts";

const tick = (s: string) => `\`${s.replaceAll("`", "``")}\``;
const comment = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Athena `CREATE EXTERNAL TABLE` (Hive DDL) for a Parquet lake table whose data folder is `location`
 * (`s3://…/<table>/`), in the shape `glueTableInput` gives it: a table of a manifest zone is read through its
 * symlink manifests (SymlinkTextInputFormat over `<location>/_symlink_format_manifest/`, Parquet SerDe), so
 * Athena never lists the data folder; any other (predictions) is plain Parquet at the data folder. */
export function athenaCreateTable(t: TableDef, database: string, location: string): string {
  const cols = t.columns.map(
    (c) => `  ${tick(c.name)} ${glueType(c.type)} COMMENT ${comment(c.description)}`,
  );
  const parts = (t.partitionKeys ?? []).map((c) => `  ${tick(c.name)} ${glueType(c.type)}`);
  const storage = usesSymlinkManifests(t)
    ? [
        `STORED AS INPUTFORMAT '${SYMLINK_INPUT_FORMAT}'`,
        `OUTPUTFORMAT '${SYMLINK_OUTPUT_FORMAT}'`,
        `LOCATION '${symlinkManifestLocation(location)}'`,
      ]
    : [`STORED AS PARQUET`, `LOCATION '${location}'`];
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${tick(database)}.${tick(t.name)} (`,
    cols.join(",\n"),
    `)`,
    `COMMENT ${comment(t.description)}`,
    ...(parts.length ? [`PARTITIONED BY (\n${parts.join(",\n")}\n)`] : []),
    `ROW FORMAT SERDE '${PARQUET_SERDE}'`,
    ...storage,
    `TBLPROPERTIES ('parquet.compression'='ZSTD')`,
  ].join("\n");
}
