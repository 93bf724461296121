import { col, nullable, renamed } from "./columns.ts";
import { HOTEL_TYPES, LOYALTY_TIERS } from "./domains.ts";
import { bookings, customers, hotels, reviews } from "./source.ts";
import type { Column, RowOf, TableDef, Zone } from "./types.ts";

/** Lake zones and what each holds. Buckets are one per zone (on AWS `<prefix>-<env>-<zone>`). */
export const ZONES = [
  "raw",
  "processed",
  "curated",
  "models",
  "predictions",
  "query-results",
  "rejected",
] as const;
export type LakeZone = (typeof ZONES)[number];

const byName = <T extends TableDef>(t: T, name: string) => {
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new Error(`${t.name} has no column ${name}`);
  return c;
};

/** A source table as stored in a lake zone: the same columns, typed the same (derived, never rewritten). */
function mirror<T extends TableDef, Z extends Zone>(t: T, zone: Z, description: string) {
  return {
    ...t,
    zone,
    description,
    foreignKeys: undefined,
    dedupeKey: t.primaryKey,
  } as Omit<T, "zone" | "foreignKeys"> & { readonly zone: Z; readonly dedupeKey: T["primaryKey"] };
}

const mirrored = [hotels, customers, bookings, reviews] as const;
export const rawTables = mirrored.map((t) =>
  mirror(t, "raw", `${t.description} Extracted as-is from the source database, one file set per run.`),
);
export const processedTables = mirrored.map((t) =>
  mirror(
    t,
    "processed",
    `${t.description} Typed, trimmed, range-checked and deduplicated by key (latest updated_at wins).`,
  ),
);

const arrivalPartitions = [
  col.int32("arrival_year", "partition: arrival year"),
  col.int32("arrival_month", "partition: arrival month 1..12"),
] as const;

const b = (name: string) => byName(bookings, name);

/** The booking fact: one row per booking, joined with hotel and customer attributes. Flags are 0/1
 * integers so that `avg(is_canceled)` is a rate in both DuckDB and Athena. */
export const curatedBookings = {
  name: "bookings",
  zone: "curated",
  description: "Booking fact joined with hotel and customer attributes; derived nights, guests and revenue.",
  primaryKey: ["booking_id"],
  dedupeKey: ["booking_id"],
  versionColumn: "updated_at",
  partitionKeys: arrivalPartitions,
  columns: [
    col.int64("booking_id", "booking key"),
    col.int32("hotel_id", "hotel key"),
    col.string("hotel", "hotel name (the data set's `hotel` column)"),
    col.enum("hotel_type", HOTEL_TYPES, "resort or city hotel"),
    col.string("hotel_city", "hotel city"),
    col.string("hotel_country", "hotel country"),
    nullable(col.int64("customer_id", "customer key")),
    nullable(col.enum("customer_loyalty_tier", LOYALTY_TIERS, "customer loyalty tier")),
    col.int32("is_canceled", "1 when canceled, else 0 (the model's label)", { min: 0, max: 1 }),
    b("lead_time"),
    b("arrival_date"),
    b("arrival_date_year"),
    b("arrival_date_month"),
    b("arrival_date_week_number"),
    b("arrival_date_day_of_month"),
    b("stays_in_weekend_nights"),
    b("stays_in_week_nights"),
    col.int32("nights", "weekend + week nights", { min: 0 }),
    b("adults"),
    b("children"),
    b("babies"),
    col.int32("guests", "adults + children + babies (unknown children count as 0)", { min: 1 }),
    b("meal"),
    b("country"),
    b("market_segment"),
    b("distribution_channel"),
    col.int32("is_repeated_guest", "1 when the guest had stayed before", { min: 0, max: 1 }),
    b("previous_cancellations"),
    b("previous_bookings_not_canceled"),
    b("reserved_room_type"),
    b("assigned_room_type"),
    b("booking_changes"),
    b("deposit_type"),
    b("agent"),
    b("company"),
    b("days_in_waiting_list"),
    b("customer_type"),
    b("adr"),
    col.decimal(12, 2)("revenue", "adr × nights; 0 for canceled bookings"),
    b("required_car_parking_spaces"),
    b("total_of_special_requests"),
    b("reservation_status"),
    b("reservation_status_date"),
    b("updated_at"),
  ],
} as const satisfies TableDef;

export const curatedHotels = {
  ...hotels,
  zone: "curated",
  description: "Hotel dimension.",
  dedupeKey: ["hotel_id"],
} as const satisfies TableDef;

export const curatedCustomers = {
  name: "customers",
  zone: "curated",
  description: "Customer dimension with booking history counts (no personal data beyond the key).",
  primaryKey: ["customer_id"],
  dedupeKey: ["customer_id"],
  versionColumn: "updated_at",
  columns: [
    byName(customers, "customer_id"),
    byName(customers, "country"),
    byName(customers, "loyalty_tier"),
    col.int64("bookings", "bookings made", { min: 0 }),
    col.int64("cancellations", "bookings canceled", { min: 0 }),
    nullable(col.date("first_arrival", "first arrival date")),
    nullable(col.date("last_arrival", "last arrival date")),
    byName(customers, "created_at"),
    byName(customers, "updated_at"),
  ],
} as const satisfies TableDef;

export const curatedReviews = {
  name: "reviews",
  zone: "curated",
  description: "Reviews with their hotel.",
  primaryKey: ["review_id"],
  dedupeKey: ["review_id"],
  versionColumn: "updated_at",
  columns: [
    byName(reviews, "review_id"),
    byName(reviews, "booking_id"),
    byName(reviews, "hotel_id"),
    col.string("hotel", "hotel name"),
    byName(reviews, "score"),
    byName(reviews, "title"),
    byName(reviews, "body"),
    byName(reviews, "created_at"),
    byName(reviews, "updated_at"),
  ],
} as const satisfies TableDef;

/** Daily hotel aggregate: a stay occupies a room on every night from arrival to departure − 1. */
export const curatedHotelDaily = {
  name: "hotel_daily",
  zone: "curated",
  description: "Per hotel and night: occupied rooms, room revenue, ADR, arrivals and cancellations.",
  primaryKey: ["hotel_id", "stay_date"],
  dedupeKey: ["hotel_id", "stay_date"],
  partitionKeys: [
    col.int32("stay_year", "partition: year of the night"),
    col.int32("stay_month", "partition: month"),
  ],
  columns: [
    col.int32("hotel_id", "hotel key"),
    col.string("hotel", "hotel name"),
    col.date("stay_date", "the night"),
    col.int64("occupied_rooms", "not-canceled bookings staying this night", { min: 0 }),
    col.decimal(14, 2)("room_revenue", "sum of adr of the occupied rooms"),
    nullable(col.decimal(10, 2)("adr", "room_revenue / occupied_rooms")),
    col.int64("arrivals", "not-canceled bookings arriving this day", { min: 0 }),
    col.int64("cancellations", "canceled bookings that were to arrive this day", { min: 0 }),
  ],
} as const satisfies TableDef;

export const curatedTables = [
  curatedBookings,
  curatedHotels,
  curatedCustomers,
  curatedReviews,
  curatedHotelDaily,
] as const;

/** Batch predictions of the cancellation model, partitioned like bookings so SQL can join them. */
export const bookingPredictions = {
  name: "booking_cancellations",
  zone: "predictions",
  description: "Predicted cancellation probability per booking, by model version.",
  primaryKey: ["booking_id", "model_version"],
  dedupeKey: ["booking_id", "model_version"],
  partitionKeys: arrivalPartitions,
  columns: [
    col.int64("booking_id", "booking key"),
    col.int32("hotel_id", "hotel key"),
    col.string("hotel", "hotel name"),
    col.date("arrival_date", "arrival date"),
    col.double("probability", "predicted probability of cancellation", { min: 0, max: 1 }),
    col.int32("predicted_label", "1 when probability ≥ the model's threshold", { min: 0, max: 1 }),
    col.int32("is_canceled", "actual outcome at scoring time", { min: 0, max: 1 }),
    col.string("model_name", "registered model name"),
    col.string("model_version", "registered model version"),
    col.timestamp("scored_at", "when the prediction was made"),
  ],
} as const satisfies TableDef;

/** Records the ETL refused, with the rule they broke; kept in the `rejected` zone. */
export const etlRejects = {
  name: "etl_rejects",
  zone: "rejected",
  description: "Records refused by an ETL job, with the rule and the record as read.",
  primaryKey: ["run_id", "source_table", "record_key", "rule"],
  columns: [
    col.string("run_id", "ETL run"),
    col.string("source_table", "table the record came from"),
    col.string("record_key", "the record's key"),
    col.string("rule", "the rule it broke"),
    nullable(col.string("field", "offending field")),
    nullable(col.string("value", "offending value")),
    col.string("record", "the record (JSON)"),
    col.timestamp("rejected_at", "when"),
  ],
} as const satisfies TableDef;

export const lakeTables: readonly TableDef[] = [
  ...rawTables,
  ...processedTables,
  ...curatedTables,
  bookingPredictions,
  etlRejects,
];

/** Looks a lake table up by `<zone>.<table>`. */
export function lakeTable(zone: string, name: string): TableDef {
  const t = lakeTables.find((x) => x.zone === zone && x.name === name);
  if (!t) throw new Error(`no lake table ${zone}.${name}`);
  return t;
}

/** All columns a reader sees: data columns then partition columns. */
export function allColumns(t: TableDef): readonly Column[] {
  return [...t.columns, ...(t.partitionKeys ?? [])];
}

export { renamed };
export type CuratedBooking = RowOf<typeof curatedBookings>;
export type BookingPrediction = RowOf<typeof bookingPredictions>;
export type HotelDaily = RowOf<typeof curatedHotelDaily>;
