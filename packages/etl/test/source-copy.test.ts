import { mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { openPg, type SqlSource } from "@hotels/source";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyToFiles } from "../src/duckdb/source-copy.ts";
import { dropSchema, PG_URL, pgReachable, tempSchema } from "./pg.ts";

const up = await pgReachable();
const schema = tempSchema("copy");

describe.runIf(up)("copyToFiles: a whole table read in heap ranges, one snapshot", () => {
  let source: SqlSource;
  beforeAll(async () => {
    source = await openPg(PG_URL, { schema });
    await source.execute("CREATE TABLE t (id int PRIMARY KEY, label text, updated_at timestamptz)");
    await source.execute(
      "INSERT INTO t SELECT i, 'row ' || i || E'\\twith tab', now() FROM generate_series(1, 20000) i",
    );
  });
  afterAll(async () => {
    await source?.close();
    await dropSchema(schema);
  });

  it("reads every row exactly once across the ranges, the same text as one COPY", async () => {
    // prepare
    const dir = mkdtempSync(path.join(tmpdir(), "etl-copy-"));
    const select = "SELECT id, label FROM t";
    const lines = (files: string[]) =>
      files.flatMap((f) => readFileSync(f, "utf8").split("\n").filter(Boolean)).sort();

    // act: split (any table of ≥ 1 page) vs a single COPY (the incremental path, an always-true condition)
    const split = await copyToFiles(source, "t", select, undefined, dir, 1);
    const single = await copyToFiles(source, "t", select, "id > 0", path.join(dir), 1);

    // assert
    expect(split.files).toHaveLength(Math.min(source.maxSessions, availableParallelism()));
    expect(split.rows).toBe(20000);
    expect(single.files).toHaveLength(1);
    expect(lines(split.files)).toEqual(lines(single.files));
    expect(new Set(lines(split.files)).size).toBe(20000);
  });
});
