import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LocalCatalog, LocalObjectStore, localLayout, TableLog } from "../src/index.ts";

/** A fresh local lake in a temporary folder: store, layout, catalog and table log over it. */
export function tempLake(prefix = "lake-") {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const store = new LocalObjectStore(root);
  const layout = localLayout(root);
  return { root, store, layout, catalog: new LocalCatalog(root), log: new TableLog({ store, layout }) };
}
export type TempLake = ReturnType<typeof tempLake>;
