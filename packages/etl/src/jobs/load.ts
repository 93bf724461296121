import {
  allColumns,
  curatedBookings,
  curatedCustomers,
  curatedHotelDaily,
  curatedHotels,
  curatedReviews,
  type TableDef,
} from "@hotels/schema";
import { projection } from "../sql/portable.ts";
import type { LoadJob } from "./types.ts";

type Exprs<T extends TableDef> = Readonly<Record<ReturnType<typeof allColumns>[number]["name"], string>> &
  Partial<Record<T["columns"][number]["name"], string>>;

const select = <T extends TableDef>(t: T, exprs: Exprs<T>, from: string): string =>
  `SELECT\n  ${projection(allColumns(t), exprs)}\nFROM ${from}`;

/** Booking columns copied unchanged from processed.bookings (everything the fact does not derive). */
const copied = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, `b.${n}`]));
const derived = new Set([
  "hotel",
  "hotel_type",
  "hotel_city",
  "hotel_country",
  "customer_loyalty_tier",
  "is_canceled",
  "nights",
  "guests",
  "is_repeated_guest",
  "revenue",
  "arrival_year",
  "arrival_month",
]);

/** The booking fact. `changed_bookings` is every processed booking on a full run, only the changed ones
 * on an incremental run; the dimensions are whole. Flags become 0/1 ints; revenue is 0 when canceled. */
const bookingsSql = select(
  curatedBookings,
  {
    ...copied(
      allColumns(curatedBookings)
        .map((c) => c.name)
        .filter((n) => !derived.has(n)),
    ),
    hotel: "h.name",
    hotel_type: "h.hotel_type",
    hotel_city: "h.city",
    hotel_country: "h.country",
    customer_loyalty_tier: "c.loyalty_tier",
    is_canceled: "CASE WHEN b.is_canceled THEN 1 ELSE 0 END",
    nights: "b.stays_in_weekend_nights + b.stays_in_week_nights",
    guests: "b.adults + COALESCE(b.children, 0) + b.babies",
    is_repeated_guest: "CASE WHEN b.is_repeated_guest THEN 1 ELSE 0 END",
    revenue:
      "CASE WHEN b.is_canceled THEN 0 ELSE b.adr * (b.stays_in_weekend_nights + b.stays_in_week_nights) END",
    arrival_year: "b.arrival_date_year",
    arrival_month: "b.arrival_date_month",
  },
  "changed_bookings b\nJOIN processed_hotels h ON h.hotel_id = b.hotel_id\nLEFT JOIN processed_customers c ON c.customer_id = b.customer_id",
);

const hotelsSql = select(
  curatedHotels,
  Object.fromEntries(curatedHotels.columns.map((c) => [c.name, c.name])) as Exprs<typeof curatedHotels>,
  "processed_hotels",
);

const customersSql = select(
  curatedCustomers,
  {
    customer_id: "c.customer_id",
    country: "c.country",
    loyalty_tier: "c.loyalty_tier",
    bookings: "COALESCE(s.bookings, 0)",
    cancellations: "COALESCE(s.cancellations, 0)",
    first_arrival: "s.first_arrival",
    last_arrival: "s.last_arrival",
    created_at: "c.created_at",
    updated_at: "c.updated_at",
  },
  `processed_customers c
LEFT JOIN (
  SELECT customer_id, COUNT(*) AS bookings, SUM(CASE WHEN is_canceled THEN 1 ELSE 0 END) AS cancellations,
    MIN(arrival_date) AS first_arrival, MAX(arrival_date) AS last_arrival
  FROM processed_bookings
  WHERE customer_id IS NOT NULL
  GROUP BY customer_id
) s ON s.customer_id = c.customer_id`,
);

const reviewsSql = select(
  curatedReviews,
  {
    review_id: "r.review_id",
    booking_id: "r.booking_id",
    hotel_id: "r.hotel_id",
    hotel: "h.name",
    score: "r.score",
    title: "r.title",
    body: "r.body",
    created_at: "r.created_at",
    updated_at: "r.updated_at",
  },
  "processed_reviews r\nJOIN processed_hotels h ON h.hotel_id = r.hotel_id",
);

/** A stay occupies a room on each night from arrival to departure − 1 (`etl_night_offsets` holds
 * i = 0, 1, 2, …); arrivals and cancellations count on the arrival day. */
const hotelDailySql = select(
  curatedHotelDaily,
  {
    hotel_id: "d.hotel_id",
    hotel: "MAX(d.hotel)",
    stay_date: "d.stay_date",
    occupied_rooms: "SUM(d.occupied)",
    room_revenue: "SUM(d.room_revenue)",
    adr: "CASE WHEN SUM(d.occupied) > 0 THEN ROUND(SUM(d.room_revenue) / SUM(d.occupied), 2) END",
    arrivals: "SUM(d.arrivals)",
    cancellations: "SUM(d.cancellations)",
    stay_year: "YEAR(d.stay_date)",
    stay_month: "MONTH(d.stay_date)",
  },
  `(
  SELECT b.hotel_id, b.hotel, b.arrival_date + n.i AS stay_date, 1 AS occupied, b.adr AS room_revenue,
    0 AS arrivals, 0 AS cancellations
  FROM daily_bookings b
  JOIN etl_night_offsets n ON n.i < b.nights
  WHERE b.is_canceled = 0
  UNION ALL
  SELECT b.hotel_id, b.hotel, b.arrival_date AS stay_date, 0 AS occupied, CAST(0 AS decimal(10,2)) AS room_revenue,
    1 - b.is_canceled AS arrivals, b.is_canceled AS cancellations
  FROM daily_bookings b
) d
GROUP BY d.hotel_id, d.stay_date`,
);

/** hotel_daily maintained by delta aggregation: the committed table (`hotel_daily_current`) plus the
 * aggregate of the changed bookings' new versions (`hotel_daily_added`) minus that of their old versions
 * (`hotel_daily_removed`), both computed by `hotelDailySql`. Sums stay exact (integers and decimals); ADR is
 * derived again from the summed columns; a day no booking reaches any more (every count 0) disappears, as
 * it would from a full recompute. The hotel name is the new versions' (a renamed hotel's bookings all
 * change), else the committed one. */
const hotelDailyCombineSql = select(
  curatedHotelDaily,
  {
    hotel_id: "t.hotel_id",
    hotel: "t.hotel",
    stay_date: "t.stay_date",
    occupied_rooms: "t.occupied",
    room_revenue: "t.revenue",
    adr: "CASE WHEN t.occupied > 0 THEN ROUND(t.revenue / t.occupied, 2) END",
    arrivals: "t.arrivals",
    cancellations: "t.cancellations",
    stay_year: "YEAR(t.stay_date)",
    stay_month: "MONTH(t.stay_date)",
  },
  `(
  SELECT d.hotel_id, d.stay_date,
    COALESCE(MAX(CASE WHEN d.src = 1 THEN d.hotel END), MAX(CASE WHEN d.src = 0 THEN d.hotel END)) AS hotel,
    SUM(d.occupied_rooms) AS occupied, SUM(d.room_revenue) AS revenue, SUM(d.arrivals) AS arrivals,
    SUM(d.cancellations) AS cancellations
  FROM (
    SELECT c.hotel_id, c.hotel, c.stay_date, c.occupied_rooms, c.room_revenue, c.arrivals, c.cancellations, 0 AS src
    FROM hotel_daily_current c
    UNION ALL
    SELECT a.hotel_id, a.hotel, a.stay_date, a.occupied_rooms, a.room_revenue, a.arrivals, a.cancellations, 1 AS src
    FROM hotel_daily_added a
    UNION ALL
    SELECT r.hotel_id, r.hotel, r.stay_date, 0 - r.occupied_rooms, 0 - r.room_revenue, 0 - r.arrivals,
      0 - r.cancellations, 2 AS src
    FROM hotel_daily_removed r
  ) d
  GROUP BY d.hotel_id, d.stay_date
) t
WHERE t.occupied <> 0 OR t.arrivals <> 0 OR t.cancellations <> 0`,
);

export const loadJobs: readonly LoadJob[] = [
  {
    kind: "load",
    name: "load.hotels",
    target: curatedHotels,
    mode: { kind: "rebuild" },
    reads: ["processed_hotels"],
    sql: hotelsSql,
  },
  {
    kind: "load",
    name: "load.customers",
    target: curatedCustomers,
    // A customer's row depends on its processed row and its bookings: changed bookings (old and new
    // versions) and changed customers name the customers to rebuild.
    mode: {
      kind: "rebuild",
      keyed: {
        key: "customer_id",
        links: {
          processed_customers: { column: "customer_id" },
          processed_bookings: { column: "customer_id", reads: ["is_canceled", "arrival_date"] },
        },
      },
    },
    reads: ["processed_customers", "processed_bookings"],
    sql: customersSql,
  },
  {
    kind: "load",
    name: "load.bookings",
    target: curatedBookings,
    mode: { kind: "merge", key: "booking_id", driver: "changed_bookings", versionColumn: "updated_at" },
    reads: ["changed_bookings", "processed_hotels", "processed_customers"],
    sql: bookingsSql,
  },
  {
    kind: "load",
    name: "load.reviews",
    target: curatedReviews,
    mode: { kind: "rebuild" },
    reads: ["processed_reviews", "processed_hotels"],
    sql: reviewsSql,
  },
  {
    kind: "load",
    name: "load.hotel_daily",
    target: curatedHotelDaily,
    mode: {
      kind: "aggregate",
      source: curatedBookings,
      key: "booking_id",
      reads: ["hotel_id", "hotel", "arrival_date", "nights", "is_canceled", "adr"],
      combine: hotelDailyCombineSql,
    },
    reads: ["daily_bookings", "etl_night_offsets"],
    sql: hotelDailySql,
  },
];
