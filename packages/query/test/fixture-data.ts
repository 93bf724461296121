import {
  bookingPredictions,
  curatedBookings,
  curatedHotelDaily,
  curatedHotels,
  curatedReviews,
} from "@hotels/schema";
import { type Lake, writeTable } from "./lake-fixture.ts";

const ts = new Date("2017-09-01T00:00:00Z");

/** A small hand-checkable lake: 2 hotels, 8 bookings over 3 arrival months, daily rows, reviews,
 * predictions. Every expected figure in the tests is computed by hand from these rows. */
export const hotels = [
  {
    hotel_id: 1,
    name: "Resort Hotel",
    hotel_type: "Resort Hotel",
    city: "Faro",
    country: "PRT",
    star_rating: 4,
    room_count: 10,
  },
  {
    hotel_id: 2,
    name: "City Hotel",
    hotel_type: "City Hotel",
    city: "Lisbon",
    country: "PRT",
    star_rating: 3,
    room_count: 20,
  },
].map((h) => ({ ...h, created_at: ts, updated_at: ts }));

type B = [
  id: number,
  hotel: 1 | 2,
  canceled: 0 | 1,
  lead: number,
  y: number,
  m: number,
  d: number,
  nights: number,
  adr: string,
  segment: string,
  deposit: string,
  country: string | null,
  repeated: 0 | 1,
  customerType: string,
];
const B_ROWS: B[] = [
  [1, 1, 0, 5, 2016, 7, 1, 3, "100.00", "Online TA", "No Deposit", "PRT", 0, "Transient"],
  [2, 1, 1, 40, 2016, 7, 2, 2, "120.50", "Online TA", "Non Refund", "PRT", 0, "Transient"],
  [3, 1, 0, 200, 2016, 8, 3, 4, "80.25", "Direct", "No Deposit", "GBR", 1, "Contract"],
  [4, 2, 1, 400, 2016, 7, 4, 1, "90.00", "Groups", "Non Refund", "PRT", 0, "Transient-Party"],
  [5, 2, 0, 10, 2016, 8, 5, 2, "110.00", "Online TA", "No Deposit", "FRA", 0, "Transient"],
  [6, 2, 0, 100, 2017, 1, 6, 5, "70.10", "Corporate", "No Deposit", "PRT", 1, "Transient"],
  [7, 2, 1, 20, 2017, 1, 7, 3, "95.00", "Online TA", "No Deposit", null, 0, "Transient"],
  [8, 2, 0, 0, 2017, 1, 8, 1, "0.00", "Complementary", "No Deposit", "ESP", 1, "Transient"],
];

const revenue = (adr: string, nights: number, canceled: number) =>
  canceled ? "0.00" : ((Math.round(Number(adr) * 100) * nights) / 100).toFixed(2);

export const bookings = B_ROWS.map(
  ([id, h, canceled, lead, y, m, d, nights, adr, segment, deposit, country, repeated, customerType]) => {
    const date = `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    const weekend = Math.min(1, nights);
    return {
      booking_id: id,
      hotel_id: h,
      hotel: h === 1 ? "Resort Hotel" : "City Hotel",
      hotel_type: h === 1 ? "Resort Hotel" : "City Hotel",
      hotel_city: h === 1 ? "Faro" : "Lisbon",
      hotel_country: "PRT",
      customer_id: null,
      customer_loyalty_tier: null,
      is_canceled: canceled,
      lead_time: lead,
      arrival_date: date,
      arrival_date_year: y,
      arrival_date_month: m,
      arrival_date_week_number: 27,
      arrival_date_day_of_month: d,
      stays_in_weekend_nights: weekend,
      stays_in_week_nights: nights - weekend,
      nights,
      adults: 2,
      children: null,
      babies: 0,
      guests: 2,
      meal: "BB",
      country,
      market_segment: segment,
      distribution_channel: "TA/TO",
      is_repeated_guest: repeated,
      previous_cancellations: 0,
      previous_bookings_not_canceled: 0,
      reserved_room_type: "A",
      assigned_room_type: "A",
      booking_changes: 0,
      deposit_type: deposit,
      agent: 9,
      company: null,
      days_in_waiting_list: 0,
      customer_type: customerType,
      adr,
      revenue: revenue(adr, nights, canceled),
      required_car_parking_spaces: 0,
      total_of_special_requests: 1,
      reservation_status: canceled ? "Canceled" : "Check-Out",
      reservation_status_date: date,
      updated_at: ts,
      arrival_year: y,
      arrival_month: m,
    };
  },
);

export const hotelDaily = [
  [1, "2016-07-01", 5, "500.00", "100.00", 2, 1],
  [1, "2016-07-02", 8, "760.00", "95.00", 3, 0],
  [2, "2017-01-06", 10, "701.00", "70.10", 1, 0],
  [2, "2017-01-07", 0, "0.00", null, 0, 1],
].map(([hotel_id, stay_date, occupied_rooms, room_revenue, adr, arrivals, cancellations]) => ({
  hotel_id,
  hotel: hotel_id === 1 ? "Resort Hotel" : "City Hotel",
  stay_date,
  occupied_rooms,
  room_revenue,
  adr,
  arrivals,
  cancellations,
  stay_year: Number(String(stay_date).slice(0, 4)),
  stay_month: Number(String(stay_date).slice(5, 7)),
}));

export const reviews = [
  [1, 1, 1, "8.0"],
  [2, 3, 1, "9.5"],
  [3, 5, 2, "6.0"],
  [4, 6, 2, "7.5"],
  [5, 8, 2, "10.0"],
].map(([review_id, booking_id, hotel_id, score]) => ({
  review_id,
  booking_id,
  hotel_id,
  hotel: hotel_id === 1 ? "Resort Hotel" : "City Hotel",
  score,
  title: "stay",
  body: 'it\'s fine; "quoted"',
  created_at: ts,
  updated_at: ts,
}));

/** Model v1 predicts bookings 2, 4, 5 and 7 canceled (2, 4, 7 were: TP 3, FP 1, FN 0). */
export const predictions = bookings.map((b) => {
  const predicted = [2, 4, 5, 7].includes(b.booking_id) ? 1 : 0;
  return {
    booking_id: b.booking_id,
    hotel_id: b.hotel_id,
    hotel: b.hotel,
    arrival_date: b.arrival_date,
    probability: predicted ? 0.8 : 0.2,
    predicted_label: predicted,
    is_canceled: b.is_canceled,
    model_name: "cancellation",
    model_version: "v1",
    scored_at: ts,
    arrival_year: b.arrival_year,
    arrival_month: b.arrival_month,
  };
});

/** Writes every fixture table into the lake (committed snapshots + catalog entries). */
export async function writeFixtureLake(lake: Lake): Promise<void> {
  await writeTable(lake, curatedHotels, hotels);
  await writeTable(lake, curatedBookings, bookings);
  await writeTable(lake, curatedHotelDaily, hotelDaily);
  await writeTable(lake, curatedReviews, reviews);
  await writeTable(lake, bookingPredictions, predictions);
}
