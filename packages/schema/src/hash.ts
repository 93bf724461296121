import { createHash } from "node:crypto";
import { glueType } from "./derive/glue.ts";
import { allColumns } from "./lake.ts";
import type { TableDef } from "./types.ts";

/** Stable hash of a table's shape (names, types, nullability, partition keys): manifests record it so a
 * reader can tell which schema wrote a file. */
export function schemaHash(t: TableDef): string {
  const shape = allColumns(t).map((c) => `${c.name}:${glueType(c.type)}:${c.nullable ? "null" : "not null"}`);
  shape.push(`partitions:${(t.partitionKeys ?? []).map((c) => c.name).join(",")}`);
  return createHash("sha256").update(shape.join("\n")).digest("hex").slice(0, 16);
}
