import { statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDateValue,
  DuckDBInstance,
  DuckDBTimestampValue,
  decimalValue,
} from "@duckdb/node-api";
import {
  type DataFile,
  dataFileKey,
  deltaFileKey,
  LocalCatalog,
  LocalObjectStore,
  localLayout,
  newRunId,
  nextLayer,
  TableLog,
} from "@hotels/lake";
import {
  type Column,
  duckdbCreateTable,
  glueTableInput,
  type LakeZone,
  quoteIdent,
  schemaHash,
  type TableDef,
} from "@hotels/schema";

/** A real local lake (folder store, snapshots, catalog) for tests and benchmarks. */
export function openLake(root: string) {
  const store = new LocalObjectStore(root);
  const layout = localLayout(root);
  return {
    root,
    store,
    layout,
    snapshots: new TableLog({ store, layout }),
    catalog: new LocalCatalog(store),
  };
}
export type Lake = ReturnType<typeof openLake>;

/** Registers a table in the catalog (database named after the zone), as the crawler does. */
export async function catalogTable(lake: Lake, t: TableDef): Promise<void> {
  await lake.catalog.ensureDatabase(t.zone);
  await lake.catalog.putTable(t.zone, glueTableInput(t, lake.layout.uri(t.zone as LakeZone, `${t.name}/`)));
}

/** Commits already-written files of a table (keys relative to the zone bucket) and catalogs the table. */
export async function commitFiles(lake: Lake, t: TableDef, files: readonly DataFile[], runId = newRunId()) {
  await catalogTable(lake, t);
  return lake.snapshots.commit(t.zone as LakeZone, t.name, {
    runId,
    files,
    schemaHash: schemaHash(t),
    operation: "append",
  });
}

const DAY_MS = 86_400_000;

function append(a: DuckDBAppender, c: Column, v: unknown): void {
  if (v === null || v === undefined) {
    a.appendNull();
    return;
  }
  switch (c.type.kind) {
    case "string":
      a.appendVarchar(String(v));
      return;
    case "int32":
      a.appendInteger(Number(v));
      return;
    case "int64":
      a.appendBigInt(BigInt(v as number));
      return;
    case "double":
      a.appendDouble(Number(v));
      return;
    case "boolean":
      a.appendBoolean(Boolean(v));
      return;
    case "decimal": {
      const [i, f = ""] = String(v).split(".");
      const scaled = BigInt(`${i}${f.padEnd(c.type.scale, "0")}`);
      a.appendDecimal(decimalValue(scaled, c.type.precision, c.type.scale));
      return;
    }
    case "date":
      a.appendDate(new DuckDBDateValue(Math.round(Date.parse(`${v}T00:00:00Z`) / DAY_MS)));
      return;
    case "timestamp":
      a.appendTimestamp(
        new DuckDBTimestampValue(BigInt((v instanceof Date ? v : new Date(String(v))).getTime()) * 1000n),
      );
      return;
  }
}

/** Appends typed rows of a table (data and partition columns) to a new DuckDB table `staging`. */
async function stage(conn: DuckDBConnection, t: TableDef, rows: readonly Record<string, unknown>[]) {
  await conn.run(duckdbCreateTable(t, "staging"));
  const a = await conn.createAppender("staging");
  for (const r of rows) {
    for (const c of [...t.columns, ...(t.partitionKeys ?? [])]) append(a, c, r[c.name]);
    a.endRow();
  }
  a.closeSync();
}

/** Commits rows as a new merge-on-read delta layer of the table (one file under `<table>/_delta/`,
 * partition columns as real columns), as the ETL does; `supersedes` = how many live rows share a key with
 * them. */
export async function writeDelta(
  lake: Lake,
  t: TableDef,
  rows: readonly Record<string, unknown>[],
  key: readonly string[],
  supersedes: number,
): Promise<DataFile> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    await stage(conn, t, rows);
    const runId = newRunId();
    const k = deltaFileKey(t.name, runId);
    const file = lake.store.localPath(lake.layout.bucket(t.zone as LakeZone), k);
    await mkdir(path.dirname(file), { recursive: true });
    await conn.run(`COPY staging TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`);
    const keys = (t.partitionKeys ?? []).map((c) => c.name);
    const partitions = [
      ...new Map(
        rows.map((r) => {
          const p = Object.fromEntries(keys.map((x) => [x, String(r[x])]));
          return [JSON.stringify(p), p] as const;
        }),
      ).values(),
    ];
    const current = await lake.snapshots.current(t.zone as LakeZone, t.name);
    const f: DataFile = {
      key: k,
      rows: rows.length,
      bytes: statSync(file).size,
      role: "delta",
      supersedes,
      layer: nextLayer(current?.files ?? []),
      ...(keys.length ? { partitions } : {}),
    };
    await lake.snapshots.commit(t.zone as LakeZone, t.name, {
      runId,
      files: [f],
      schemaHash: schemaHash(t),
      operation: "delta",
      key,
    });
    return f;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Writes rows of a lake table as Parquet with DuckDB, typed from the schema (one file per partition,
 * hive layout, lake data-file keys), then commits a snapshot and catalogs the table. */
export async function writeTable(
  lake: Lake,
  t: TableDef,
  rows: readonly Record<string, unknown>[],
  runId = newRunId(),
): Promise<DataFile[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn: DuckDBConnection = await instance.connect();
  try {
    await stage(conn, t, rows);
    const keys = (t.partitionKeys ?? []).map((c) => c.name);
    const groups = new Map<string, Record<string, string>>();
    for (const r of rows) {
      const p = Object.fromEntries(keys.map((k) => [k, String(r[k])]));
      groups.set(JSON.stringify(p), p);
    }
    if (keys.length === 0) groups.set("{}", {});
    const bucket = lake.layout.bucket(t.zone as LakeZone);
    const files: DataFile[] = [];
    let part = 0;
    for (const p of groups.values()) {
      const key = dataFileKey(t.name, runId, part++, keys.length ? p : undefined);
      const file = lake.store.localPath(bucket, key);
      await mkdir(path.dirname(file), { recursive: true });
      const where = keys.length
        ? `WHERE ${keys.map((k) => `${quoteIdent(k)} = ${Number(p[k])}`).join(" AND ")}`
        : "";
      const select = t.columns.map((c) => quoteIdent(c.name)).join(", ");
      const n = await conn.runAndReadAll(`SELECT count(*) FROM staging ${where}`);
      await conn.run(
        `COPY (SELECT ${select} FROM staging ${where}) TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`,
      );
      files.push({
        key,
        rows: Number(n.getRows()[0]![0]),
        bytes: statSync(file).size,
        ...(keys.length ? { partition: p } : {}),
      });
    }
    await commitFiles(lake, t, files, runId);
    return files;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
