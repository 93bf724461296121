import type { TableDef } from "../types.ts";
import { glueType, PARQUET_SERDE } from "./glue.ts";

const tick = (s: string) => `\`${s.replaceAll("`", "``")}\``;
const comment = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Athena `CREATE EXTERNAL TABLE` (Hive DDL) for a Parquet lake table at an `s3://` location. */
export function athenaCreateTable(t: TableDef, database: string, location: string): string {
  const cols = t.columns.map(
    (c) => `  ${tick(c.name)} ${glueType(c.type)} COMMENT ${comment(c.description)}`,
  );
  const parts = (t.partitionKeys ?? []).map((c) => `  ${tick(c.name)} ${glueType(c.type)}`);
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${tick(database)}.${tick(t.name)} (`,
    cols.join(",\n"),
    `)`,
    `COMMENT ${comment(t.description)}`,
    ...(parts.length ? [`PARTITIONED BY (\n${parts.join(",\n")}\n)`] : []),
    `ROW FORMAT SERDE '${PARQUET_SERDE}'`,
    `STORED AS PARQUET`,
    `LOCATION '${location}'`,
    `TBLPROPERTIES ('parquet.compression'='ZSTD')`,
  ].join("\n");
}
