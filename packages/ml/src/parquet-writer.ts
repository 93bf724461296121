import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { type DataFile, dataFileKey, type LakeLayout, type ObjectStore } from "@hotels/lake";
import { allColumns, duckdbType, type LakeZone, type TableDef } from "@hotels/schema";

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.name.endsWith(".parquet")) out.push(p);
  }
  return out.sort();
}

/**
 * Writes rows (objects keyed by the table's column names) as Hive-partitioned Parquet files of `table`, with
 * column types derived from the schema (DuckDB appender → COPY … PARTITION_BY). Files are staged under the
 * bucket's `_tmp/` (invisible to readers) and renamed to run-unique keys, or uploaded when the store is not a
 * local folder. Returns the files, not yet committed.
 */
export async function writePartitionedParquet(
  ports: { readonly store: ObjectStore; readonly layout: LakeLayout },
  zone: LakeZone,
  table: TableDef,
  rows: readonly Record<string, unknown>[],
  runId: string,
): Promise<DataFile[]> {
  const cols = allColumns(table);
  const keys = (table.partitionKeys ?? []).map((c) => c.name);
  const bucket = ports.layout.bucket(zone);
  const local = ports.store.localPath?.bind(ports.store);
  const stage = local ? local(bucket, `_tmp/ml-${runId}`) : path.join(tmpdir(), `hotels-ml-${runId}`);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    // dates, timestamps and decimals go in as text (ISO / canonical decimal strings) and are cast on the way out (the appender's date types need
    // DuckDB value objects); everything else is appended with its own typed method
    const asText = (c: (typeof cols)[number]) =>
      c.type.kind === "date" || c.type.kind === "timestamp" || c.type.kind === "decimal";
    const staged = cols.map((c) => `${ident(c.name)} ${asText(c) ? "VARCHAR" : duckdbType(c.type)}`);
    await conn.run(`CREATE TABLE staged (${staged.join(", ")})`);
    const app = await conn.createAppender("staged");
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      for (const c of cols) {
        const v = row[c.name];
        if (v === null || v === undefined) {
          if (!c.nullable) throw new Error(`${table.zone}.${table.name} row ${r}: ${c.name} is null`);
          app.appendNull();
          continue;
        }
        switch (c.type.kind) {
          case "int32":
            app.appendInteger(Number(v));
            break;
          case "int64":
            app.appendBigInt(BigInt(v as number));
            break;
          case "double":
            app.appendDouble(Number(v));
            break;
          case "boolean":
            app.appendBoolean(Boolean(v));
            break;
          case "timestamp":
            app.appendVarchar(v instanceof Date ? v.toISOString() : String(v));
            break;
          default:
            app.appendVarchar(String(v));
        }
      }
      app.endRow();
    }
    app.closeSync();
    const select = cols
      .map((c) =>
        asText(c) ? `CAST(${ident(c.name)} AS ${duckdbType(c.type)}) AS ${ident(c.name)}` : ident(c.name),
      )
      .join(", ");
    const by = keys.length
      ? `, PARTITION_BY (${keys.map(ident).join(", ")}), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part-{i}'`
      : "";
    const target = keys.length ? stage : path.join(stage, "part.parquet");
    await conn.run(
      `COPY (SELECT ${select} FROM staged) TO ${q(target)} (FORMAT parquet, COMPRESSION zstd${by})`,
    );
    const files: DataFile[] = [];
    const counters = new Map<string, number>();
    for (const file of await walk(stage)) {
      const meta = await conn.runAndReadAll(
        `SELECT sum(num_rows)::BIGINT AS n FROM parquet_file_metadata(${q(file)})`,
      );
      const n = Number((meta.getRowObjectsJS()[0] as { n: bigint }).n);
      const partition: Record<string, string> = {};
      for (const seg of path.relative(stage, file).split(path.sep).slice(0, -1)) {
        const i = seg.indexOf("=");
        if (i > 0) partition[seg.slice(0, i)] = decodeURIComponent(seg.slice(i + 1));
      }
      const pid = JSON.stringify(partition);
      const part = counters.get(pid) ?? 0;
      counters.set(pid, part + 1);
      const key = dataFileKey(table.name, runId, part, keys.length ? partition : undefined);
      if (local) {
        const dest = local(bucket, key);
        await mkdir(path.dirname(dest), { recursive: true });
        await rename(file, dest);
      } else {
        await ports.store.put(bucket, key, await readFile(file));
      }
      const bytes = local
        ? (await stat(local(bucket, key))).size
        : (await ports.store.head(bucket, key))!.size;
      files.push(keys.length ? { key, rows: n, bytes, partition } : { key, rows: n, bytes });
    }
    return files;
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(stage, { recursive: true, force: true });
  }
}
