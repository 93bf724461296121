/** Closed domains of the Hotel booking demand data set (Antonio, Almeida & Nunes, 2019) and of Hotels.com. */
export const HOTEL_TYPES = ["Resort Hotel", "City Hotel"] as const;
export const MEALS = ["BB", "FB", "HB", "SC", "Undefined"] as const;
export const MARKET_SEGMENTS = [
  "Direct",
  "Corporate",
  "Online TA",
  "Offline TA/TO",
  "Groups",
  "Complementary",
  "Aviation",
  "Undefined",
] as const;
export const DISTRIBUTION_CHANNELS = ["Direct", "Corporate", "TA/TO", "GDS", "Undefined"] as const;
export const ROOM_TYPES = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "K", "L", "P"] as const;
export const DEPOSIT_TYPES = ["No Deposit", "Refundable", "Non Refund"] as const;
export const CUSTOMER_TYPES = ["Transient", "Contract", "Transient-Party", "Group"] as const;
export const RESERVATION_STATUSES = ["Check-Out", "Canceled", "No-Show"] as const;
export const LOYALTY_TIERS = ["none", "silver", "gold", "platinum"] as const;

export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

/** Month name (any case, full or three-letter) → 1..12, or undefined. */
export function monthNumber(name: string): number | undefined {
  const n = name.trim().toLowerCase();
  if (n.length < 3) return undefined;
  const i = MONTH_NAMES.findIndex((m) => m.toLowerCase() === n || m.toLowerCase().slice(0, 3) === n);
  return i < 0 ? undefined : i + 1;
}
