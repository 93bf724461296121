import { bookings, type Hotel, monthNumber, type Problem } from "@hotels/schema";
import { tableCodec } from "./validate.ts";

/** The 32 columns of the Hotel booking demand data set (`data/hotel_bookings.csv.gz`), in file order. */
export const HOTEL_BOOKINGS_HEADER = [
  "hotel",
  "is_canceled",
  "lead_time",
  "arrival_date_year",
  "arrival_date_month",
  "arrival_date_week_number",
  "arrival_date_day_of_month",
  "stays_in_weekend_nights",
  "stays_in_week_nights",
  "adults",
  "children",
  "babies",
  "meal",
  "country",
  "market_segment",
  "distribution_channel",
  "is_repeated_guest",
  "previous_cancellations",
  "previous_bookings_not_canceled",
  "reserved_room_type",
  "assigned_room_type",
  "booking_changes",
  "deposit_type",
  "agent",
  "company",
  "days_in_waiting_list",
  "customer_type",
  "adr",
  "required_car_parking_spaces",
  "total_of_special_requests",
  "reservation_status",
  "reservation_status_date",
] as const;

const SINCE = new Date("2015-01-01T00:00:00Z");

/** The data set's two hotels (H1, H2 in the paper: a resort hotel in the Algarve and a city hotel in
 * Lisbon). Star rating and room count are not in the data set: they are stated placeholders. */
export const HOTEL_BOOKINGS_HOTELS: readonly Hotel[] = [
  {
    hotel_id: 1,
    name: "Resort Hotel",
    hotel_type: "Resort Hotel",
    city: "Algarve",
    country: "PRT",
    star_rating: 4,
    room_count: 200,
    created_at: SINCE,
    updated_at: SINCE,
  },
  {
    hotel_id: 2,
    name: "City Hotel",
    hotel_type: "City Hotel",
    city: "Lisbon",
    country: "PRT",
    star_rating: 4,
    room_count: 250,
    created_at: SINCE,
    updated_at: SINCE,
  },
];

const HOTEL_IDS: Readonly<Record<string, number>> = { "Resort Hotel": 1, "City Hotel": 2 };

/** Whether a CSV header is the data set's (same names, any order, any case around whitespace). */
export function isHotelBookingsHeader(header: readonly string[]): boolean {
  const set = new Set(header.map((h) => h.trim()));
  return set.size === HOTEL_BOOKINGS_HEADER.length && HOTEL_BOOKINGS_HEADER.every((h) => set.has(h));
}

/** Maps one data-set row (cells by header name) at file `line` (1 = header) to a `bookings` record: the
 * surrogate `booking_id` is `line - 1` (the file has no id; equal rows are distinct bookings), `hotel`
 * becomes `hotel_id` (1 = Resort Hotel, 2 = City Hotel), month names numbers, `arrival_date` is derived,
 * `NA`/`NULL` become null, and `updated_at` is midnight UTC of `reservation_status_date` so re-ingesting
 * the file changes nothing. Problems name the data set's field. */
export function mapHotelBooking(
  cells: Readonly<Record<string, string | undefined>>,
  line: number,
): { record: Record<string, unknown>; problems: Problem[] } {
  const problems: Problem[] = [];
  const hotelName = (cells.hotel ?? "").trim();
  const hotelId = HOTEL_IDS[hotelName];
  if (hotelId === undefined)
    problems.push({
      field: "hotel",
      value: cells.hotel ?? null,
      rule: "must be one of: Resort Hotel, City Hotel",
    });
  const monthText = (cells.arrival_date_month ?? "").trim();
  const month = monthNumber(monthText);
  if (month === undefined)
    problems.push({
      field: "arrival_date_month",
      value: cells.arrival_date_month ?? null,
      rule: "not a month name",
    });
  const decoded = tableCodec(bookings).decodeText(cells, {
    booking_id: String(line - 1),
    hotel_id: hotelId === undefined ? undefined : String(hotelId),
    customer_id: undefined,
    arrival_date_month: month === undefined ? undefined : String(month),
    arrival_date: "", // derived below
    updated_at: "", // derived below
  });
  const record = decoded.record;
  for (const p of decoded.problems) {
    // Derived or mapped fields: their own problems were reported above (or are derived below).
    if (p.field === "arrival_date" || p.field === "updated_at") continue;
    if (
      (p.field === "hotel_id" && hotelId === undefined) ||
      (p.field === "arrival_date_month" && month === undefined)
    )
      continue;
    problems.push(p);
  }
  const y = record.arrival_date_year;
  const d = record.arrival_date_day_of_month;
  if (typeof y === "number" && typeof d === "number" && month !== undefined) {
    record.arrival_date = `${String(y).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  }
  const status = record.reservation_status_date;
  if (typeof status === "string") record.updated_at = new Date(`${status}T00:00:00Z`);
  return { record, problems };
}
