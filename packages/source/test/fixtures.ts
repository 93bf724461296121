import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { HOTEL_BOOKINGS_HEADER } from "../src/ingest/hotel-bookings.ts";

export const HEADER = HOTEL_BOOKINGS_HEADER.join(",");

/** Data-set rows as in the real file (cells by header name; override a few per test). */
export function row(overrides: Partial<Record<(typeof HOTEL_BOOKINGS_HEADER)[number], string>> = {}): string {
  const base: Record<string, string> = {
    hotel: "Resort Hotel",
    is_canceled: "0",
    lead_time: "342",
    arrival_date_year: "2015",
    arrival_date_month: "July",
    arrival_date_week_number: "27",
    arrival_date_day_of_month: "1",
    stays_in_weekend_nights: "0",
    stays_in_week_nights: "0",
    adults: "2",
    children: "0",
    babies: "0",
    meal: "BB",
    country: "PRT",
    market_segment: "Direct",
    distribution_channel: "Direct",
    is_repeated_guest: "0",
    previous_cancellations: "0",
    previous_bookings_not_canceled: "0",
    reserved_room_type: "C",
    assigned_room_type: "C",
    booking_changes: "3",
    deposit_type: "No Deposit",
    agent: "NULL",
    company: "NULL",
    days_in_waiting_list: "0",
    customer_type: "Transient",
    adr: "0",
    required_car_parking_spaces: "0",
    total_of_special_requests: "0",
    reservation_status: "Check-Out",
    reservation_status_date: "2015-07-01",
    ...overrides,
  };
  return HOTEL_BOOKINGS_HEADER.map((h) => base[h]).join(",");
}

export function csv(lines: readonly string[], eol = "\n", final = true): string {
  return lines.join(eol) + (final ? eol : "");
}

export const stream = (text: string | Uint8Array): Readable =>
  Readable.from([typeof text === "string" ? Buffer.from(text) : Buffer.from(text)]);

export const gz = (text: string): Buffer => gzipSync(Buffer.from(text));
