import path from "node:path";
import { crawl, LocalCatalog, LocalObjectStore, localLayout, newRunId, TableLog } from "@hotels/lake";
import { DuckDbQueryEngine } from "@hotels/query";
import { curatedBookings, schemaHash } from "@hotels/schema";
import { readBookingsCsv, writePartitionedParquet } from "../src/index.ts";

export const DATA = path.resolve(import.meta.dirname, "../../../data/hotel_bookings.csv.gz");

/** curated.bookings-shaped rows from the real data set (every `every`-th booking). */
let parsed: Record<string, unknown>[] | undefined;
export function curatedRows(every: number): Record<string, unknown>[] {
  parsed ??= readBookingsCsv(DATA);
  return parsed
    .filter((_, i) => i % every === 0)
    .map((r) => {
      const y = r.arrival_date_year as number;
      const m = r.arrival_date_month as number;
      const d = r.arrival_date_day_of_month as number;
      const nights = (r.stays_in_weekend_nights as number) + (r.stays_in_week_nights as number);
      return {
        ...r,
        hotel_id: r.hotel_type === "Resort Hotel" ? 1 : 2,
        hotel: r.hotel_type,
        hotel_city: r.hotel_type === "Resort Hotel" ? "Algarve" : "Lisbon",
        hotel_country: "PRT",
        customer_id: null,
        customer_loyalty_tier: null,
        arrival_date: `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
        nights,
        guests: Math.max(1, (r.adults as number) + ((r.children as number) ?? 0) + (r.babies as number)),
        adr: Number(r.adr).toFixed(2),
        revenue: r.is_canceled ? "0.00" : (Number(r.adr) * nights).toFixed(2),
        updated_at: new Date("2026-01-01T00:00:00Z"),
        arrival_year: y,
        arrival_month: m,
      };
    });
}

/** A real local lake holding curated.bookings (committed and catalogued) and a DuckDB query engine on it. */
export async function lakeWithBookings(root: string, rows: Record<string, unknown>[]) {
  const store = new LocalObjectStore(root);
  const layout = localLayout(root);
  const catalog = new LocalCatalog(store);
  const runId = newRunId();
  const files = await writePartitionedParquet({ store, layout }, "curated", curatedBookings, rows, runId);
  await new TableLog({ store, layout }).commit("curated", "bookings", {
    runId,
    files,
    schemaHash: schemaHash(curatedBookings),
    operation: "overwrite",
  });
  await crawl({ store, layout, catalog, tables: ["curated.bookings"] });
  const queryEngine = await DuckDbQueryEngine.create({
    store,
    layout,
    catalog,
    snapshots: new TableLog({ store, layout }),
    writeResults: false,
  });
  return { store, layout, catalog, queryEngine };
}
