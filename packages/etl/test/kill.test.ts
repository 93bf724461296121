import { spawn } from "node:child_process";
import { cpSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { LocalObjectStore, localLayout, TableLog } from "@hotels/lake";
import { openPg } from "@hotels/source";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookingRow, liveRowsSql, seedSource, tempLake, upsertBookings } from "./fixtures.ts";
import { dropSchema, PG_URL, pgReachable, tempSchema } from "./pg.ts";

const here = import.meta.dirname;
const tsx = path.resolve(here, "../../../node_modules/.bin/tsx");

/** Runs the child ETL; kills it with SIGKILL `delayMs` after it prints `mark` (never when mark is null).
 * Resolves with whether it was killed. */
function runChild(
  schema: string,
  lake: string,
  mark: string | null,
  delayMs = 0,
  options: Record<string, unknown> = {},
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      tsx,
      [path.join(here, "kill-child.ts"), PG_URL, schema, lake, JSON.stringify(options)],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    let killed = false;
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      if (mark && !killed && out.includes(`${mark}\n`)) {
        killed = true;
        setTimeout(() => child.kill("SIGKILL"), delayMs);
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d;
    });
    child.on("close", (code, signal) => {
      if (signal === "SIGKILL") return resolve(true);
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err.slice(-3000)}`));
      resolve(false);
    });
  });
}

const TABLES = [
  ["raw", "bookings"],
  ["processed", "bookings"],
  ["curated", "bookings"],
  ["curated", "hotel_daily"],
  ["curated", "customers"],
  ["rejected", "etl_rejects"],
] as const;

/** The committed content of the lake: every table's rows in a canonical order (run ids left out). */
async function content(root: string) {
  const store = new LocalObjectStore(root);
  const log = new TableLog({ store, layout: localLayout(root) });
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const out: Record<string, unknown> = {};
  for (const [zone, table] of TABLES) {
    const live = liveRowsSql(root, zone, table, await log.current(zone, table));
    if (!live) {
      out[`${zone}.${table}`] = [];
      continue;
    }
    // Every committed file must be readable: a reader of the last committed state never fails.
    const cols = zone === "rejected" ? "source_table, record_key, rule, field, value" : "*";
    const r = await c.runAndReadAll(`SELECT ${cols} FROM (${live}) ORDER BY ALL`);
    out[`${zone}.${table}`] = zone === "raw" ? r.getRowObjectsJson().length : r.getRowObjectsJson();
  }
  c.closeSync();
  db.closeSync();
  return out;
}

const reachable = await pgReachable();

describe.skipIf(!reachable)(
  "a killed run leaves the last committed state readable and the next run completes it",
  () => {
    const schema = tempSchema("kill");
    const incSchema = tempSchema("kill_inc");
    let expected: Record<string, unknown>;

    beforeAll(async () => {
      // prepare: a seeded source and the reference lake of an uninterrupted run
      for (const s of [schema, incSchema]) {
        const source = await openPg(PG_URL, { schema: s });
        await seedSource(source, 1500);
        await source.close();
      }
      const reference = tempLake().root;
      await runChild(schema, reference, null);
      expected = await content(reference);
    }, 120_000);
    afterAll(async () => {
      await dropSchema(schema);
      await dropSchema(incSchema);
    });

    const points: [string, number][] = [
      ["start extract.bookings", 5],
      ["start transform.bookings", 15],
      ["start load.bookings", 10],
      ["start load.hotel_daily", 5],
      ["done load.hotel_daily", 0],
    ];

    it.each(points)("killed at %s (+%i ms)", async (mark, delay) => {
      // prepare
      const lake = tempLake().root;
      // act: kill, check what is committed is readable, then let the next run finish
      const killed = await runChild(schema, lake, mark, delay);
      await content(lake);
      await runChild(schema, lake, null);
      // assert
      expect(killed).toBe(true);
      expect(await content(lake)).toEqual(expected);
    });

    // Incremental runs after 2% of bookings changed: the merges write deltas by default; with
    // `compactFraction: 0` every merge compacts (rewrites the partitions the changes reach).
    const incremental: [string, string, number, Record<string, unknown>][] = [
      ["mid-delta-write of processed", "start transform.bookings", 60, {}],
      ["mid-delta-write of curated", "start load.bookings", 20, {}],
      ["mid-compaction of processed", "start transform.bookings", 60, { compactFraction: 0 }],
      ["mid-compaction of curated", "start load.bookings", 20, { compactFraction: 0 }],
    ];

    it.each(incremental)(
      "an incremental run killed %s is completed by the next run, without duplicates",
      async (_what, mark, delay, options) => {
        // prepare: a lake built from the original data, then 2% of bookings change in the source
        const lake = tempLake().root;
        await runChild(incSchema, lake, null);
        const source = await openPg(PG_URL, { schema: incSchema });
        const at = 500 + incremental.findIndex((x) => x[1] === mark && x[3] === options);
        await upsertBookings(
          source,
          Array.from({ length: 30 }, (_, i) => bookingRow(i * 47 + 1, at, { adr: `${at}.99` })),
        );
        await source.close();
        const reference = tempLake().root;
        cpSync(lake, reference, { recursive: true });
        await runChild(incSchema, reference, null, 0, options);
        const expectedAfterUpdate = await content(reference);
        // act
        const killed = await runChild(incSchema, lake, mark, delay, options);
        await content(lake);
        await runChild(incSchema, lake, null, 0, options);
        // assert
        expect(killed).toBe(true);
        expect(await content(lake)).toEqual(expectedAfterUpdate);
      },
    );
  },
);
