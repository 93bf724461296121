import { col, nullable } from "./columns.ts";
import {
  CUSTOMER_TYPES,
  DEPOSIT_TYPES,
  DISTRIBUTION_CHANNELS,
  HOTEL_TYPES,
  LOYALTY_TIERS,
  MARKET_SEGMENTS,
  MEALS,
  RESERVATION_STATUSES,
  ROOM_TYPES,
} from "./domains.ts";
import type { RowOf, TableDef } from "./types.ts";

const COUNTRY = /^[A-Z]{2,3}$/;
const updatedAt = col.timestamp("updated_at", "last change; drives incremental extraction");
const createdAt = col.timestamp("created_at", "when the record was created");

/** Tables of the Hotels.com source database (RDS Aurora PostgreSQL; PGlite locally). */
export const hotels = {
  name: "hotels",
  zone: "source",
  description: "Hotels listed on Hotels.com.",
  primaryKey: ["hotel_id"],
  versionColumn: "updated_at",
  columns: [
    col.int32("hotel_id", "hotel surrogate key", { min: 1 }),
    col.string("name", "hotel name"),
    col.enum("hotel_type", HOTEL_TYPES, "resort or city hotel"),
    col.string("city", "city"),
    col.string("country", "ISO 3166-1 alpha-3 country code", { pattern: COUNTRY }),
    col.int32("star_rating", "stars, 1 to 5", { min: 1, max: 5 }),
    col.int32("room_count", "rooms the hotel sells", { min: 1 }),
    createdAt,
    updatedAt,
  ],
} as const satisfies TableDef;

export const customers = {
  name: "customers",
  zone: "source",
  description: "Hotels.com customers (guests who book).",
  primaryKey: ["customer_id"],
  versionColumn: "updated_at",
  columns: [
    col.int64("customer_id", "customer surrogate key", { min: 1 }),
    col.string("first_name", "given name"),
    col.string("last_name", "family name"),
    col.string("email", "e-mail address", { pattern: /^[^@\s]+@[^@\s]+$/ }),
    nullable(col.string("country", "country of residence (ISO alpha-3)", { pattern: COUNTRY })),
    col.enum("loyalty_tier", LOYALTY_TIERS, "loyalty programme tier"),
    createdAt,
    updatedAt,
  ],
} as const satisfies TableDef;

/** A booking carries every attribute of the Hotel booking demand data set (32 columns), typed: `hotel`
 * becomes `hotel_id`, the arrival month a number, flags booleans, `adr` a decimal, `NA`/`NULL` nulls. */
export const bookings = {
  name: "bookings",
  zone: "source",
  description: "Hotel bookings made on Hotels.com, one row per booking.",
  primaryKey: ["booking_id"],
  foreignKeys: [
    { columns: ["hotel_id"], references: { table: "hotels", columns: ["hotel_id"] } },
    { columns: ["customer_id"], references: { table: "customers", columns: ["customer_id"] } },
  ],
  versionColumn: "updated_at",
  columns: [
    col.int64("booking_id", "booking surrogate key", { min: 1 }),
    col.int32("hotel_id", "the booked hotel (data set column `hotel`)", { min: 1 }),
    nullable(
      col.int64("customer_id", "the booking customer; null when unknown (the public data set)", { min: 1 }),
    ),
    col.boolean("is_canceled", "the booking was canceled (the model's label)"),
    col.int32("lead_time", "days between booking and arrival", { min: 0, max: 1000 }),
    col.date("arrival_date", "arrival date, derived from year, month and day of month"),
    col.int32("arrival_date_year", "arrival year", { min: 2000, max: 2100 }),
    col.int32("arrival_date_month", "arrival month, 1..12 (the data set writes month names)", {
      min: 1,
      max: 12,
    }),
    col.int32("arrival_date_week_number", "ISO week number of arrival", { min: 1, max: 53 }),
    col.int32("arrival_date_day_of_month", "arrival day of month", { min: 1, max: 31 }),
    col.int32("stays_in_weekend_nights", "Saturday or Sunday nights booked", { min: 0 }),
    col.int32("stays_in_week_nights", "Monday to Friday nights booked", { min: 0 }),
    col.int32("adults", "adults", { min: 0 }),
    nullable(col.int32("children", "children (`NA` in the data set when unknown)", { min: 0 })),
    col.int32("babies", "babies", { min: 0 }),
    col.enum("meal", MEALS, "meal package"),
    nullable(col.string("country", "guest's country of origin (ISO alpha-3)", { pattern: /^[A-Z]{2,3}$/ })),
    col.enum("market_segment", MARKET_SEGMENTS, "market segment"),
    col.enum("distribution_channel", DISTRIBUTION_CHANNELS, "booking distribution channel"),
    col.boolean("is_repeated_guest", "the guest had stayed before"),
    col.int32("previous_cancellations", "earlier bookings the guest canceled", { min: 0 }),
    col.int32("previous_bookings_not_canceled", "earlier bookings the guest did not cancel", { min: 0 }),
    col.enum("reserved_room_type", ROOM_TYPES, "room type reserved (code)"),
    col.enum("assigned_room_type", ROOM_TYPES, "room type assigned (code)"),
    col.int32("booking_changes", "changes made to the booking", { min: 0 }),
    col.enum("deposit_type", DEPOSIT_TYPES, "deposit made"),
    nullable(col.int32("agent", "travel agency id")),
    nullable(col.int32("company", "company id that pays")),
    col.int32("days_in_waiting_list", "days on the waiting list before confirmation", { min: 0 }),
    col.enum("customer_type", CUSTOMER_TYPES, "type of booking"),
    col.decimal(10, 2)("adr", "average daily rate (EUR)"),
    col.int32("required_car_parking_spaces", "car parking spaces required", { min: 0 }),
    col.int32("total_of_special_requests", "special requests made", { min: 0 }),
    col.enum("reservation_status", RESERVATION_STATUSES, "last status (reveals the label)"),
    col.date("reservation_status_date", "date of the last status (reveals the label)"),
    updatedAt,
  ],
} as const satisfies TableDef;

export const reviews = {
  name: "reviews",
  zone: "source",
  description: "Guest reviews of completed stays.",
  primaryKey: ["review_id"],
  foreignKeys: [
    { columns: ["booking_id"], references: { table: "bookings", columns: ["booking_id"] } },
    { columns: ["hotel_id"], references: { table: "hotels", columns: ["hotel_id"] } },
  ],
  versionColumn: "updated_at",
  columns: [
    col.int64("review_id", "review surrogate key", { min: 1 }),
    col.int64("booking_id", "the reviewed stay", { min: 1 }),
    col.int32("hotel_id", "the reviewed hotel", { min: 1 }),
    col.decimal(3, 1)("score", "score from 1.0 to 10.0"),
    col.string("title", "review title"),
    col.string("body", "review text"),
    createdAt,
    updatedAt,
  ],
} as const satisfies TableDef;

/** Quarantine of ingestion: every record that broke a rule, with where it came from and why. */
export const ingestRejects = {
  name: "ingest_rejects",
  zone: "source",
  description: "Records refused by ingestion, with the file, line, field, value and rule they broke.",
  primaryKey: ["reject_id"],
  columns: [
    col.string("reject_id", "hash of source, line and reason (re-ingesting the same input adds nothing)"),
    col.string("target_table", "table the record was meant for"),
    col.string("source", "file name or stream the record came from"),
    col.int64("line", "line number in the source (1 = header for CSV)", { min: 0 }),
    nullable(col.string("field", "offending field, null when the record as a whole is wrong")),
    nullable(col.string("value", "offending value as read")),
    col.string("rule", "the rule that was broken"),
    col.string("record", "the whole record as read (JSON)"),
    col.timestamp("rejected_at", "when it was quarantined"),
  ],
} as const satisfies TableDef;

export const sourceTables = [hotels, customers, bookings, reviews, ingestRejects] as const;
export type SourceTable = (typeof sourceTables)[number];
export type Hotel = RowOf<typeof hotels>;
export type Customer = RowOf<typeof customers>;
export type Booking = RowOf<typeof bookings>;
export type Review = RowOf<typeof reviews>;
export type IngestReject = RowOf<typeof ingestRejects>;
