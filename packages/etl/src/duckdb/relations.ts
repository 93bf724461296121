import type { DataFile, LakeLayout, ObjectStore, Snapshot } from "@hotels/lake";
import { allColumns, type LakeZone, quoteIdent, type TableDef } from "@hotels/schema";
import { sqlType } from "../sql/portable.ts";
import { parquetScan } from "./engine.ts";
import type { Placement } from "./writer.ts";

/** Local paths of committed files. */
export function filePaths(
  store: ObjectStore,
  layout: LakeLayout,
  zone: LakeZone,
  files: readonly DataFile[],
) {
  const bucket = layout.bucket(zone);
  return files.map((f) => store.localPath!(bucket, f.key));
}

/** A relation with exactly the table's columns (data then partition columns), typed by the schema, over
 * the given committed files; an empty typed relation when there are none. */
export function tableScan(
  store: ObjectStore,
  layout: LakeLayout,
  table: TableDef,
  files: readonly DataFile[],
  placement: Placement,
): string {
  const cols = allColumns(table);
  if (!files.length) {
    const nulls = cols.map((c) => `CAST(NULL AS ${sqlType(c.type)}) AS ${quoteIdent(c.name)}`);
    return `(SELECT ${nulls.join(", ")} WHERE false)`;
  }
  const scan = parquetScan(filePaths(store, layout, table.zone as LakeZone, files), {
    hive: placement.kind === "hive",
  });
  const select = cols.map(
    (c) => `CAST(${quoteIdent(c.name)} AS ${sqlType(c.type)}) AS ${quoteIdent(c.name)}`,
  );
  return `(SELECT ${select.join(", ")} FROM ${scan})`;
}

export const snapshotFiles = (s: Snapshot | undefined): readonly DataFile[] => s?.files ?? [];
