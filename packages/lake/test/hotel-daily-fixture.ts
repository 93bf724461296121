import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import {
  curatedHotelDaily,
  duckdbType,
  type LakeZone,
  quoteIdent,
  schemaHash,
  type TableDef,
} from "@hotels/schema";
import { type DataFile, dataFileKey, newRunId } from "../src/index.ts";
import type { TempLake } from "./temp-lake.ts";

/** One row of a table with every column typed as the schema derives it (values are placeholders). */
export const sampleSelect = (t: TableDef) =>
  `select ${t.columns
    .map((c) => {
      const v = c.enum
        ? `'${c.enum[0]}'`
        : c.type.kind === "string"
          ? "'x'"
          : c.type.kind === "date"
            ? "DATE '2017-01-01'"
            : c.type.kind === "timestamp"
              ? "TIMESTAMP '2017-01-01'"
              : c.type.kind === "boolean"
                ? "true"
                : "1";
      return `${v}::${duckdbType(c.type)} ${quoteIdent(c.name)}`;
    })
    .join(", ")}`;

/** A day row of curated.hotel_daily as typed by the schema; `drift` writes adr as DOUBLE plus an extra column. */
export const dailySelect = (y: number, m: number, drift = false) =>
  `select 1::INTEGER hotel_id, 'Lisbon Resort'::VARCHAR hotel, make_date(${y}, ${m}, 1) stay_date,
     3::BIGINT occupied_rooms, 300.00::DECIMAL(14,2) room_revenue,
     ${drift ? "100.0::DOUBLE adr, 'SUMMER'::VARCHAR promo_code" : "100.00::DECIMAL(10,2) adr"},
     1::BIGINT arrivals, 0::BIGINT cancellations`;

/** Parquet writers over a local lake with DuckDB (`conn` is read when called: tests open it in beforeAll). */
export function hotelDailyFixture(conn: () => DuckDBConnection) {
  async function writeParquet(l: TempLake, zone: LakeZone, key: string, select: string, rows: number) {
    const file = l.store.localPath(zone, key);
    mkdirSync(path.dirname(file), { recursive: true });
    await conn().run(`copy (${select}) to '${file}' (format parquet, compression zstd)`);
    return { key, rows, bytes: statSync(file).size };
  }

  /** Commits one file per month to curated.hotel_daily. */
  async function commitDaily(
    l: TempLake,
    months: [number, number][],
    drift = false,
    operation: "replace-partitions" | "overwrite" = "replace-partitions",
  ) {
    const run = newRunId();
    const files: DataFile[] = [];
    for (const [i, [y, m]] of months.entries()) {
      const partition = { stay_year: String(y), stay_month: String(m) };
      const f = await writeParquet(
        l,
        "curated",
        dataFileKey("hotel_daily", run, i, partition),
        dailySelect(y, m, drift),
        1,
      );
      files.push({ ...f, partition });
    }
    return l.log.commit("curated", "hotel_daily", {
      runId: run,
      files,
      schemaHash: schemaHash(curatedHotelDaily),
      operation,
    });
  }

  return { writeParquet, commitDaily };
}
