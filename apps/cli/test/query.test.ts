import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { writeFixtureLake } from "../../../packages/query/test/fixture-data.ts";
import { openLake } from "../../../packages/query/test/lake-fixture.ts";
import { main } from "../src/main.ts";

const bin = path.resolve(import.meta.dirname, "../bin/hotels.js");
const home = mkdtempSync(path.join(tmpdir(), "hotels-cli-query-"));
/** The real process: exit code and stderr as a user sees them (slow to start under tsx: used once). */
const spawn = (...args: string[]) =>
  spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8" });
/** In-process run of the same entry point, capturing stdout and stderr. */
async function run(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((c) => {
    stdout += String(c);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((c) => {
    stderr += String(c);
    return true;
  });
  try {
    const status = await main(["--home", home, ...args]);
    return { status, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

beforeAll(async () => {
  // The small lake of the query package's tests: 8 bookings of 2 hotels, committed and catalogued.
  await writeFixtureLake(openLake(path.join(home, "lake")));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("hotels query / hotels tables", () => {
  it("answers SQL over <zone>.<table> as CSV, JSON or an aligned table", async () => {
    const sql =
      "select hotel, count(*) as n, sum(revenue) as revenue from curated.bookings group by 1 order by 1";
    const csv = await run("query", sql, "--format", "csv");
    expect(csv.status).toBe(0);
    expect(csv.stdout).toBe(
      '"hotel","n","revenue"\n"City Hotel","5","570.50"\n"Resort Hotel","3","621.00"\n',
    );
    const json = JSON.parse((await run("query", sql, "--json")).stdout);
    expect(json.rows).toEqual([
      { hotel: "City Hotel", n: 5, revenue: "570.50" },
      { hotel: "Resort Hotel", n: 3, revenue: "621.00" },
    ]);
    const tableOut = (await run("query", sql, "--format", "table")).stdout.split("\n");
    expect(tableOut[0]).toMatch(/^hotel\s+n\s+revenue$/);
    expect(tableOut[2]).toMatch(/^City Hotel\s+5\s+570\.50$/);
    expect(tableOut.at(-2)).toMatch(/^\(2 rows, \d+ ms, 3 files scanned, query [0-9a-f-]{36}\)$/);
  });

  it("runs a named query with --param k=v, reading only the partitions asked for", async () => {
    const r = await run(
      "query",
      "--named",
      "adr_revenue_by_month",
      "--param",
      "year=2016",
      "--param",
      "month=7",
      "--json",
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rows.map((x: { hotel: string; revenue: string }) => [x.hotel, x.revenue])).toEqual([
      ["City Hotel", "0.00"],
      ["Resort Hotel", "300.00"],
    ]);
    expect(out.stats.filesScanned).toBe(1);
    const bad = await run("query", "--named", "adr_revenue_by_month", "--param", "month=July");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('hotels: parameter month: "July" is not a int\n');
  });

  it("a SQL error prints the engine's message and the position on stderr, exit 1", () => {
    const r = spawn("query", "select hotel\nfrom curated.bookings\nwhere nosuch = 1");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/Binder Error: Referenced column "nosuch" not found/);
    expect(r.stderr).toMatch(/\(at line 3, column 7\)\n$/);
  });

  it("hotels tables lists catalogued tables with rows, partitions and bytes", async () => {
    const r = await run("tables", "--json");
    expect(r.status).toBe(0);
    const { tables } = JSON.parse(r.stdout);
    expect(tables.map((t: { name: string }) => t.name)).toEqual([
      "curated.bookings",
      "curated.hotel_daily",
      "curated.hotels",
      "curated.reviews",
      "predictions.booking_cancellations",
    ]);
    expect(tables[0]).toMatchObject({ rows: 8, files: 3, partitions: 3, version: 1 });
    expect(tables[0].bytes).toBeGreaterThan(0);
  });
});
