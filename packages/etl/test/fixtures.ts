import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  baseFiles,
  deltaLayers,
  LocalObjectStore,
  localLayout,
  mergeOnReadSql,
  type Snapshot,
} from "@hotels/lake";
import {
  allColumns,
  bookings,
  copyTextLine,
  customers,
  hotels,
  lakeTables,
  reviews,
  type TableDef,
} from "@hotels/schema";
import { migrate, openPglite, type SqlSource } from "@hotels/source";

/** A fresh local lake in a temp folder. */
export function tempLake() {
  const root = mkdtempSync(path.join(tmpdir(), "etl-lake-"));
  return { root, store: new LocalObjectStore(root), layout: localLayout(root) };
}

const ts = (d: number) => new Date(Date.UTC(2024, 0, 1) + d * 1000);

export function hotelRow(id: number, at = 0) {
  return {
    hotel_id: id,
    name: id === 1 ? "  Resort Lisboa " : `City Hotel ${id}`,
    hotel_type: id === 1 ? "Resort Hotel" : "City Hotel",
    city: "Lisbon",
    country: "PRT",
    star_rating: 4,
    room_count: 100,
    created_at: ts(0),
    updated_at: ts(at),
  };
}

export function customerRow(id: number, at = 0) {
  return {
    customer_id: id,
    first_name: "Ana",
    last_name: `Silva\t${id}`,
    email: `ana${id}@example.com`,
    country: id % 3 === 0 ? null : "PRT",
    loyalty_tier: "silver",
    created_at: ts(0),
    updated_at: ts(at),
  };
}

/** Booking `id`: arrival month cycles over 2016-01..2016-06; overrides apply last. */
export function bookingRow(id: number, at = 0, overrides: Record<string, unknown> = {}) {
  const month = (id % 6) + 1;
  const day = (id % 27) + 1;
  return {
    booking_id: id,
    hotel_id: (id % 2) + 1,
    customer_id: id % 5 === 0 ? null : (id % 10) + 1,
    is_canceled: id % 4 === 0,
    lead_time: id % 300,
    arrival_date: `2016-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`,
    arrival_date_year: 2016,
    arrival_date_month: month,
    arrival_date_week_number: 10,
    arrival_date_day_of_month: day,
    stays_in_weekend_nights: id % 3,
    stays_in_week_nights: (id % 4) + 1,
    adults: 2,
    children: id % 7 === 0 ? null : 0,
    babies: 0,
    meal: "BB",
    country: "PRT",
    market_segment: "Online TA",
    distribution_channel: "TA/TO",
    is_repeated_guest: false,
    previous_cancellations: 0,
    previous_bookings_not_canceled: 0,
    reserved_room_type: "A",
    assigned_room_type: "A",
    booking_changes: 0,
    deposit_type: "No Deposit",
    agent: 9,
    company: null,
    days_in_waiting_list: 0,
    customer_type: "Transient",
    adr: `${100 + (id % 50)}.50`,
    required_car_parking_spaces: 0,
    total_of_special_requests: 1,
    reservation_status: id % 4 === 0 ? "Canceled" : "Check-Out",
    reservation_status_date: "2016-07-01",
    updated_at: ts(at),
    ...overrides,
  };
}

export function reviewRow(id: number, bookingId: number, at = 0) {
  return {
    review_id: id,
    booking_id: bookingId,
    hotel_id: (bookingId % 2) + 1,
    score: "8.5",
    title: "Nice",
    body: "Back\\slash and\nnewline",
    created_at: ts(0),
    updated_at: ts(at),
  };
}

async function* lines(t: TableDef, rows: readonly Record<string, unknown>[]) {
  for (const r of rows) yield copyTextLine(t.columns, r);
}

export async function insert(source: SqlSource, t: TableDef, rows: readonly Record<string, unknown>[]) {
  await source.copyIn(t.name, t.columns, lines(t, rows));
}

/** Upserts bookings (new versions of existing keys). */
export async function upsertBookings(source: SqlSource, rows: readonly Record<string, unknown>[]) {
  const ids = rows.map((r) => r.booking_id as number);
  await source.execute(`DELETE FROM reviews WHERE booking_id = ANY($1::bigint[])`, [`{${ids.join(",")}}`]);
  await source.execute(`DELETE FROM bookings WHERE booking_id = ANY($1::bigint[])`, [`{${ids.join(",")}}`]);
  await insert(source, bookings, rows);
}

/** A small source: 2 hotels, 10 customers, `n` bookings (two of them invalid: negative adr, zero
 * guests), 3 reviews. */
export async function seedSource(source: SqlSource, n = 60) {
  await migrate(source);
  await insert(source, hotels, [hotelRow(1), hotelRow(2)]);
  await insert(
    source,
    customers,
    Array.from({ length: 10 }, (_, i) => customerRow(i + 1)),
  );
  const rows = Array.from({ length: n }, (_, i) => bookingRow(i + 1));
  rows[2] = bookingRow(3, 0, { adr: "-5.00" });
  rows[6] = bookingRow(7, 0, { adults: 0, children: 0, babies: 0 });
  await insert(source, bookings, rows);
  await insert(source, reviews, [reviewRow(1, 1), reviewRow(2, 2), reviewRow(3, 4)]);
  return { bookings: n, invalid: 2 };
}

export { bookings, customers, hotels, openPglite, reviews };

/** DuckDB SQL of a snapshot's live rows, built here from `@hotels/lake`'s read rule (independently of the
 * runner's own reader): base files with Hive partition values, delta rows superseding base rows by key. */
export function liveRowsSql(
  root: string,
  zone: string,
  table: string,
  s: Snapshot | undefined,
): string | undefined {
  const store = new LocalObjectStore(root);
  const list = (files: readonly { key: string }[]) =>
    files.map((f) => `'${store.localPath(zone, f.key)}'`).join(", ");
  const files = s?.files ?? [];
  if (!files.length) return undefined;
  const def = lakeTables.find((t) => t.zone === zone && t.name === table);
  if (!def) throw new Error(`no lake table ${zone}.${table}`);
  const base = `read_parquet([${list(baseFiles(files))}], hive_partitioning = true)`;
  return mergeOnReadSql({
    base,
    delta: deltaLayers(files).map((layer) => `read_parquet([${list(layer)}])`),
    key: s?.key ?? [],
    columns: allColumns(def).map((c) => c.name),
  });
}
