import {
  baseFiles,
  type DataFile,
  deltaLayers,
  type LakeLayout,
  mergeOnReadSql,
  type ObjectStore,
  type Snapshot,
} from "@hotels/lake";
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
 * the given committed files read as they are (no merge-on-read: see `snapshotScan`); an empty typed
 * relation when there are none. `hive`: partition columns come from the Hive paths (base files), else
 * from the files' own columns (delta files, single files). */
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

/** One relation per delta layer of `files` (oldest first), typed like `tableScan`. */
export function deltaLayerScans(
  store: ObjectStore,
  layout: LakeLayout,
  table: TableDef,
  files: readonly DataFile[],
): string[] {
  return deltaLayers(files).map((layer) => tableScan(store, layout, table, layer, { kind: "single" }));
}

/** The live rows of a committed snapshot: its base files merged on read with its delta layers (rows whose
 * key a newer delta row holds are superseded; see `@hotels/lake` `mergeOnReadSql`). */
export function snapshotScan(
  store: ObjectStore,
  layout: LakeLayout,
  table: TableDef,
  snapshot: Snapshot | undefined,
  placement: Placement,
): string {
  const files = snapshotFiles(snapshot);
  const delta = deltaLayerScans(store, layout, table, files);
  const base = tableScan(store, layout, table, baseFiles(files), placement);
  if (!delta.length) return base;
  return `(${mergeOnReadSql({
    base,
    delta,
    key: snapshot?.key ?? [],
    columns: allColumns(table).map((c) => c.name),
  })})`;
}

export const snapshotFiles = (s: Snapshot | undefined): readonly DataFile[] => s?.files ?? [];
