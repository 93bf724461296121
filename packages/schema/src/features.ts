import {
  CUSTOMER_TYPES,
  DEPOSIT_TYPES,
  DISTRIBUTION_CHANNELS,
  HOTEL_TYPES,
  MARKET_SEGMENTS,
  MEALS,
  ROOM_TYPES,
} from "./domains.ts";
import { curatedBookings } from "./lake.ts";

/** How a categorical feature becomes a number: its index in `categories`; a null or unknown value is
 * missing (NaN), which the model routes by each split's default direction, as XGBoost does. */
export interface CategoricalFeature {
  readonly name: string;
  readonly column: string;
  readonly kind: "categorical";
  /** Closed domain from the schema, or `learned`: the training data's values by descending frequency
   * (capped at `maxCategories`), stored with the model. */
  readonly categories: readonly string[] | "learned";
  readonly maxCategories?: number;
}
export interface NumericFeature {
  readonly name: string;
  readonly column: string;
  readonly kind: "numeric";
}
export type Feature = CategoricalFeature | NumericFeature;

export interface FeatureSpec {
  readonly name: string;
  readonly version: number;
  readonly table: { readonly zone: "curated"; readonly name: string };
  readonly key: string;
  readonly label: string;
  /** Columns never used as features because they reveal the label. */
  readonly leaking: readonly string[];
  readonly features: readonly Feature[];
}

const num = (name: string, column = name): NumericFeature => ({ name, column, kind: "numeric" });
const cat = (name: string, categories: readonly string[] | "learned", column = name): CategoricalFeature => ({
  name,
  column,
  kind: "categorical",
  categories,
});

/** The booking-cancellation model's inputs: the 29 non-leaking attributes of the data set, in order. */
export const cancellationFeatures: FeatureSpec = {
  name: "booking-cancellation",
  version: 1,
  table: { zone: "curated", name: curatedBookings.name },
  key: "booking_id",
  label: "is_canceled",
  leaking: ["reservation_status", "reservation_status_date"],
  features: [
    cat("hotel", HOTEL_TYPES, "hotel_type"),
    num("lead_time"),
    num("arrival_date_year"),
    num("arrival_date_month"),
    num("arrival_date_week_number"),
    num("arrival_date_day_of_month"),
    num("stays_in_weekend_nights"),
    num("stays_in_week_nights"),
    num("adults"),
    num("children"),
    num("babies"),
    cat("meal", MEALS),
    { ...cat("country", "learned"), maxCategories: 200 },
    cat("market_segment", MARKET_SEGMENTS),
    cat("distribution_channel", DISTRIBUTION_CHANNELS),
    num("is_repeated_guest"),
    num("previous_cancellations"),
    num("previous_bookings_not_canceled"),
    cat("reserved_room_type", ROOM_TYPES),
    cat("assigned_room_type", ROOM_TYPES),
    num("booking_changes"),
    cat("deposit_type", DEPOSIT_TYPES),
    num("agent"),
    num("company"),
    num("days_in_waiting_list"),
    cat("customer_type", CUSTOMER_TYPES),
    num("adr"),
    num("required_car_parking_spaces"),
    num("total_of_special_requests"),
  ],
};
