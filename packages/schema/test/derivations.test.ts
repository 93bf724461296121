import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import {
  allColumns,
  athenaCreateTable,
  duckdbCreateTable,
  glueTableInput,
  glueType,
  lakeTables,
  parquetType,
  postgresDdl,
  schemaHash,
  sourceTables,
  sparkType,
  terraformGlueTable,
} from "../src/index.ts";

describe("PostgreSQL DDL", () => {
  it("creates every source table, with keys, in a real PostgreSQL (PGlite), idempotently", async () => {
    // prepare
    const db = await PGlite.create();
    // act: twice, to show it is idempotent
    for (let i = 0; i < 2; i++)
      for (const t of sourceTables) for (const s of postgresDdl(t)) await db.exec(s);
    // assert
    for (const t of sourceTables) {
      const cols = await db.query<{ column_name: string; is_nullable: string }>(
        "select column_name, is_nullable from information_schema.columns where table_name = $1 order by ordinal_position",
        [t.name],
      );
      expect(cols.rows.map((r) => r.column_name)).toEqual(t.columns.map((c) => c.name));
      expect(cols.rows.map((r) => r.is_nullable === "YES")).toEqual(t.columns.map((c) => c.nullable));
    }
    const fks = await db.query("select conname from pg_constraint where contype = 'f'");
    expect(fks.rows.length).toBe(
      sourceTables.reduce((n, t) => n + ("foreignKeys" in t ? t.foreignKeys.length : 0), 0),
    );
    await expect(
      db.query("insert into hotels values (1,'x','Motel','Lisbon','PRT',3,10,now(),now())"),
    ).rejects.toThrow(/check constraint/);
    await db.close();
  });
});

describe("DuckDB / Parquet types", () => {
  it("creates every lake table in DuckDB and writes it to Parquet with the derived types", async () => {
    // prepare
    const dir = mkdtempSync(path.join(tmpdir(), "schema-"));
    const duck = await DuckDBInstance.create();
    const c = await duck.connect();
    for (const t of lakeTables) {
      const name = `${t.zone}_${t.name}`;
      // act
      await c.run(duckdbCreateTable(t, name));
      // assert
      const desc = await c.runAndReadAll(`describe ${name}`);
      expect(desc.getRowObjects().map((r) => r.column_name)).toEqual(allColumns(t).map((x) => x.name));
      const file = path.join(dir, `${name}.parquet`);
      await c.run(`copy ${name} to '${file}' (format parquet)`);
      const schema = await c.runAndReadAll(
        `select name, type from parquet_schema('${file}') where type is not null`,
      );
      const physical = Object.fromEntries(schema.getRowObjects().map((r) => [r.name, r.type]));
      for (const col of allColumns(t))
        expect(physical[col.name], `${name}.${col.name}`).toBe(parquetType(col.type).physical);
    }
    const decimal = parquetType({ kind: "decimal", precision: 10, scale: 2 });
    expect(decimal).toEqual({ physical: "INT64", logical: "DECIMAL(10,2)" });
  });
});

describe("Glue and Athena", () => {
  it.each(lakeTables.map((t) => [`${t.zone}.${t.name}`, t] as const))(
    "%s derives Glue, Terraform and Athena shapes",
    (_, t) => {
      // act
      const input = glueTableInput(t, `s3://bucket/${t.name}/`);
      const tf = terraformGlueTable(t, "curated", `s3://bucket/${t.name}/`);
      const ddl = athenaCreateTable(t, t.zone, `s3://bucket/${t.name}/`);
      // assert
      expect(input.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(t.columns.map((c) => c.name));
      expect(input.PartitionKeys.map((c) => c.Name)).toEqual((t.partitionKeys ?? []).map((c) => c.name));
      expect(tf.storageDescriptor.columns.map((c) => c.type)).toEqual(t.columns.map((c) => glueType(c.type)));
      expect(ddl).toContain(`CREATE EXTERNAL TABLE IF NOT EXISTS \`${t.zone}\`.\`${t.name}\``);
      for (const c of t.columns) expect(ddl).toContain(`\`${c.name}\` ${glueType(c.type)}`);
      expect(ddl.includes("PARTITIONED BY")).toBe((t.partitionKeys ?? []).length > 0);
      for (const c of allColumns(t)) expect(sparkType(c.type)).toBe(glueType(c.type));
      // Glue rejects a partition key that is also a column
      const names = new Set(t.columns.map((c) => c.name));
      for (const p of t.partitionKeys ?? []) expect(names.has(p.name)).toBe(false);
    },
  );

  it("hashes a table's shape so that a type change changes the hash", () => {
    const t = lakeTables[0]!;
    const changed = {
      ...t,
      columns: t.columns.map((c, i) => (i === 1 ? { ...c, type: { kind: "double" } as const } : c)),
    };
    expect(schemaHash(t)).toBe(schemaHash({ ...t }));
    expect(schemaHash(changed)).not.toBe(schemaHash(t));
  });
});
