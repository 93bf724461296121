import type { Booking, Customer, Hotel, Review } from "@hotels/schema";

/** Options of the Hotels.com-like data generator. */
export interface GenerateOptions {
  /** Distinct bookings to generate (1k … 10M). */
  readonly bookings: number;
  /** PRNG seed (default 1): the same seed and options give the same records, in the same order. */
  readonly seed?: number;
  /** First arrival date (default `2023-01-01`); arrivals spread over `years` (default 3). */
  readonly start?: string;
  readonly years?: number;
  /** Share of modified or canceled bookings first seen as booked, and later updated (default 0.5). */
  readonly updateRate?: number;
  /** `false` (default): the initial state (hotels, customers, bookings, reviews). `true`: only the later
   * updates of the same bookings (modifications, cancellations) with later `updated_at`s, for incremental
   * extraction to pick up. Each stream holds one version per record, so re-ingesting either changes
   * nothing; ingesting the initial state after the updates reverts them (a replay of older data). */
  readonly updates?: boolean;
  /** Share of completed stays that get a review (default 0.3). */
  readonly reviewRate?: number;
}

export type Generated =
  | { readonly table: "hotels"; readonly record: Hotel }
  | { readonly table: "customers"; readonly record: Customer }
  | { readonly table: "bookings"; readonly record: Booking }
  | { readonly table: "reviews"; readonly record: Review };

/** Generated ids stay clear of the real data set's (hotels 1–2, bookings 1–119,390). */
export const GENERATED_HOTEL_ID_BASE = 1000;
export const GENERATED_BOOKING_ID_BASE = 1_000_000_000;

const DAY_MS = 86_400_000;

/** sfc32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

/** A stable uniform in [0, 1) of (seed, key): per-customer traits without storing them. */
function hashUniform(seed: number, key: number): number {
  let h = Math.imul(seed ^ 0x85ebca6b, 0xc2b2ae35) ^ Math.imul(key, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

const totals = new WeakMap<object, number>();
function pickWeighted<T>(rand: () => number, items: readonly (readonly [T, number])[]): T {
  let total = totals.get(items);
  if (total === undefined) {
    total = 0;
    for (const [, w] of items) total += w;
    totals.set(items, total);
  }
  let r = rand() * total;
  for (const [v, w] of items) {
    r -= w;
    if (r < 0) return v;
  }
  return items[items.length - 1]![0];
}

const CITIES: readonly (readonly [string, string, boolean])[] = [
  ["Lisbon", "PRT", false],
  ["Porto", "PRT", false],
  ["Faro", "PRT", true],
  ["Madeira", "PRT", true],
  ["Madrid", "ESP", false],
  ["Barcelona", "ESP", false],
  ["Mallorca", "ESP", true],
  ["Paris", "FRA", false],
  ["Nice", "FRA", true],
  ["London", "GBR", false],
  ["Edinburgh", "GBR", false],
  ["Rome", "ITA", false],
  ["Venice", "ITA", false],
  ["Sardinia", "ITA", true],
  ["Berlin", "DEU", false],
  ["Munich", "DEU", false],
  ["Amsterdam", "NLD", false],
  ["Vienna", "AUT", false],
  ["Prague", "CZE", false],
  ["Dublin", "IRL", false],
  ["New York", "USA", false],
  ["Miami", "USA", true],
  ["Cancun", "MEX", true],
  ["Tokyo", "JPN", false],
  ["Bangkok", "THA", false],
  ["Phuket", "THA", true],
  ["Dubai", "ARE", false],
  ["Sydney", "AUS", false],
  ["Rio de Janeiro", "BRA", true],
  ["Cape Town", "ZAF", true],
];
const BRANDS = [
  "Grand",
  "Park",
  "Royal",
  "Harbour",
  "Old Town",
  "Riverside",
  "Garden",
  "Plaza",
  "Palace",
  "Bay",
];
const SUFFIXES = ["Hotel", "Suites", "Inn", "Resort", "Lodge"];
const FIRST = [
  "Ana",
  "João",
  "Maria",
  "Pedro",
  "Sofia",
  "Liam",
  "Emma",
  "Noah",
  "Olivia",
  "Lucas",
  "Mia",
  "Hugo",
  "Léa",
  "Marco",
  "Giulia",
  "Hans",
  "Anna",
  "Yuki",
  "Chen",
  "Aisha",
];
const LAST = [
  "Silva",
  "Santos",
  "Ferreira",
  "Smith",
  "Jones",
  "Martin",
  "Bernard",
  "Rossi",
  "Russo",
  "Müller",
  "Schmidt",
  "García",
  "López",
  "Murphy",
  "Kelly",
  "Tanaka",
  "Wang",
  "Khan",
  "Dubois",
  "Costa",
];
const GUEST_COUNTRIES: readonly (readonly [string, number])[] = [
  ["PRT", 30],
  ["GBR", 11],
  ["FRA", 9],
  ["ESP", 8],
  ["DEU", 7],
  ["ITA", 4],
  ["IRL", 3],
  ["BEL", 2],
  ["BRA", 2],
  ["NLD", 2],
  ["USA", 2],
  ["CHE", 1.5],
  ["AUT", 1],
  ["SWE", 1],
  ["CHN", 1],
  ["POL", 1],
  ["JPN", 0.5],
  ["AUS", 0.5],
];
const SEGMENTS: readonly (readonly [Booking["market_segment"], number])[] = [
  ["Online TA", 47],
  ["Offline TA/TO", 20],
  ["Groups", 16],
  ["Direct", 10.5],
  ["Corporate", 4.5],
  ["Complementary", 0.6],
  ["Aviation", 0.2],
];
const CHANNEL: Record<Booking["market_segment"], Booking["distribution_channel"]> = {
  "Online TA": "TA/TO",
  "Offline TA/TO": "TA/TO",
  Groups: "TA/TO",
  Direct: "Direct",
  Corporate: "Corporate",
  Complementary: "Direct",
  Aviation: "Corporate",
  Undefined: "Undefined",
};
const SEGMENT_EFFECT: Record<Booking["market_segment"], number> = {
  "Online TA": 0.45,
  "Offline TA/TO": 0.1,
  Groups: 0.5,
  Direct: -0.7,
  Corporate: -0.9,
  Complementary: -1.2,
  Aviation: -0.5,
  Undefined: 0,
};
const MEALS: readonly (readonly [Booking["meal"], number])[] = [
  ["BB", 77],
  ["HB", 12],
  ["SC", 9],
  ["FB", 1],
  ["Undefined", 1],
];
const ROOMS: readonly (readonly [Booking["reserved_room_type"], number])[] = [
  ["A", 70],
  ["D", 16],
  ["E", 5],
  ["F", 2.5],
  ["G", 2],
  ["B", 1],
  ["C", 1],
  ["H", 0.5],
  ["L", 0.05],
  ["P", 0.05],
];
const ROOM_FACTOR: Record<string, number> = {
  A: 1,
  B: 1.05,
  C: 1.1,
  D: 1.25,
  E: 1.4,
  F: 1.6,
  G: 1.8,
  H: 2,
  I: 1,
  K: 1,
  L: 2.2,
  P: 0.5,
};
const UPGRADE: Record<string, Booking["assigned_room_type"]> = {
  A: "D",
  B: "C",
  C: "D",
  D: "E",
  E: "F",
  F: "G",
  G: "H",
  H: "H",
  L: "L",
  P: "P",
  I: "I",
  K: "K",
};
const REVIEW_TITLES = [
  ["Disappointing", "Not as advertised", "Would not return"],
  ["Fine for a night", "Decent stay", "Okay value"],
  ["Lovely stay", "Great location", "Very good"],
  ["Exceptional", "Perfect holiday", "Best hotel in town"],
] as const;
const REVIEW_BODIES = [
  "The room was not clean and the staff were slow to help.",
  "Good location, the room was small but comfortable.",
  "Friendly staff, excellent breakfast and a quiet room.",
  "Everything was perfect, from check-in to the view from our room.",
] as const;

/** Per-day text and calendar fields, memoised: a few thousand distinct days serve millions of bookings. */
const dayCache = new Map<number, { iso: string; year: number; month: number; dom: number; week: number }>();
function dayInfo(day: number) {
  let d = dayCache.get(day);
  if (!d) {
    const date = new Date(day * DAY_MS);
    d = {
      iso: date.toISOString().slice(0, 10),
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      dom: date.getUTCDate(),
      week: isoWeek(day),
    };
    if (dayCache.size < 100_000) dayCache.set(day, d);
  }
  return d;
}
const isoDate = (day: number): string => dayInfo(day).iso;

/** ISO 8601 week number of a day (days since 1970-01-01). */
function isoWeek(day: number): number {
  const d = new Date(day * DAY_MS);
  const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = day - dow + 3;
  const yearStart = Date.UTC(new Date(thursday * DAY_MS).getUTCFullYear(), 0, 1) / DAY_MS;
  return Math.floor((thursday - yearStart) / 7) + 1;
}

const money = (x: number): string => (Math.round(x * 100) / 100).toFixed(2);

/** Deterministic, streaming Hotels.com-like data: hotels across cities and countries first, then bookings
 * with their customers (each emitted before its first booking) and reviews of completed stays, and later
 * updates (modifications, cancellations) of some of those bookings as a second stream (`updates: true`)
 * that moves their `updated_at`. Memory is constant in `bookings` (nothing is kept per booking or
 * customer: histories derive from stable per-customer traits). Cancellation is driven by lead time,
 * deposit type, previous cancellations, market segment, special requests, parking, repeat stays and
 * customer type, so a model can learn it. */
export function* generate(options: GenerateOptions): Generator<Generated> {
  const seed = options.seed ?? 1;
  const rand = prng(seed);
  const startDay = Math.floor(Date.parse(`${options.start ?? "2023-01-01"}T00:00:00Z`) / DAY_MS);
  const spanDays = Math.round((options.years ?? 3) * 365);
  const updateRate = options.updateRate ?? 0.5;
  const reviewRate = options.reviewRate ?? 0.3;
  const n = Math.max(0, Math.floor(options.bookings));
  const initial = !options.updates;

  // Hotels: a few hundred bookings per hotel at small scales, up to 2,000 hotels.
  const hotelCount = Math.min(2000, Math.max(10, Math.ceil(n / 2000)));
  const hotelStars = new Uint8Array(hotelCount);
  const hotelResort = new Uint8Array(hotelCount);
  const hotelCity = new Uint16Array(hotelCount);
  const cumulative = new Float64Array(hotelCount);
  let acc = 0;
  for (let h = 0; h < hotelCount; h++) {
    const cityIx = Math.floor(rand() * CITIES.length);
    const [city, country, resortCity] = CITIES[cityIx]!;
    const resort = resortCity ? rand() < 0.8 : rand() < 0.1;
    const stars = 2 + Math.floor(rand() * 4);
    hotelStars[h] = stars;
    hotelResort[h] = resort ? 1 : 0;
    hotelCity[h] = cityIx;
    acc += 1 / Math.sqrt(h + 1); // a few popular hotels, a long tail
    cumulative[h] = acc;
    const created = new Date(Date.UTC(2010, 0, 1) + Math.floor(rand() * 3650) * DAY_MS);
    const hotel: Hotel = {
      hotel_id: GENERATED_HOTEL_ID_BASE + h + 1,
      name: `${BRANDS[Math.floor(rand() * BRANDS.length)]} ${city} ${resort ? "Resort" : SUFFIXES[Math.floor(rand() * SUFFIXES.length)]}`,
      hotel_type: resort ? "Resort Hotel" : "City Hotel",
      city,
      country,
      star_rating: stars,
      room_count: 40 + Math.floor(rand() * 560),
      created_at: created,
      updated_at: created,
    };
    if (initial) yield { table: "hotels", record: hotel };
  }
  const pickHotel = () => {
    const r = rand() * acc;
    let lo = 0;
    let hi = hotelCount - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  let customers = 0;
  let reviewId = 0;

  // Both modes draw the same random numbers in the same order, so the updates stream matches the initial.
  for (let i = 0; i < n; i++) {
    const h = pickHotel();
    const resort = hotelResort[h] === 1;
    const stars = hotelStars[h]!;
    // Arrival: seasonal (summer peak, stronger at resorts), by rejection sampling.
    let arrival: number;
    for (;;) {
      arrival = startDay + Math.floor(rand() * spanDays);
      const doy = (arrival - startDay) % 365;
      const season = 1 + (resort ? 0.45 : 0.25) * Math.cos((2 * Math.PI * (doy - 200)) / 365);
      if (rand() * 1.45 < season) break;
    }
    const segment = pickWeighted(rand, SEGMENTS);
    const groups = segment === "Groups";
    const lead =
      rand() < 0.15
        ? Math.floor(rand() * 8)
        : Math.min(700, Math.floor(-Math.log(1 - rand()) * (groups ? 160 : 85)));
    const weekend = Math.floor(rand() * (resort ? 4 : 3));
    const week = Math.floor(rand() * (resort ? 7 : 4)) + (weekend === 0 ? 1 : 0);
    const adults = groups ? 1 + Math.floor(rand() * 2) : rand() < 0.75 ? 2 : rand() < 0.7 ? 1 : 3;
    const children = rand() < (resort ? 0.12 : 0.05) ? 1 + Math.floor(rand() * 2) : 0;
    const babies = rand() < 0.008 ? 1 : 0;
    const deposit: Booking["deposit_type"] =
      rand() < (groups || segment === "Offline TA/TO" ? 0.35 : 0.03)
        ? "Non Refund"
        : rand() < 0.002
          ? "Refundable"
          : "No Deposit";
    const customerType: Booking["customer_type"] = groups
      ? rand() < 0.3
        ? "Group"
        : "Transient-Party"
      : segment === "Offline TA/TO" && rand() < 0.15
        ? "Contract"
        : rand() < 0.8
          ? "Transient"
          : "Transient-Party";
    const requests = Math.min(5, Math.floor(-Math.log(1 - rand()) * (segment === "Online TA" ? 1.1 : 0.5)));
    const parking = rand() < (resort ? 0.1 : 0.03) ? 1 : 0;
    const changes = rand() < 0.82 ? 0 : rand() < 0.7 ? 1 : 2 + Math.floor(rand() * 3);
    const reserved = pickWeighted(rand, ROOMS);
    const assigned = rand() < 0.87 ? reserved : UPGRADE[reserved]!;

    // The customer: a returning one (with a history derived from stable per-customer traits) or a new one.
    const returning = customers > 0 && rand() < 0.2;
    let customerId: number;
    if (returning) customerId = 1 + Math.floor(rand() * customers);
    else {
      customerId = ++customers;
      const since = new Date((arrival - lead) * DAY_MS);
      const first = FIRST[Math.floor(rand() * FIRST.length)]!;
      const last = LAST[Math.floor(rand() * LAST.length)]!;
      const tier = rand();
      const customer: Customer = {
        customer_id: customerId,
        first_name: first,
        last_name: last,
        email: `${first}.${last}.${customerId}@example.com`.toLowerCase(),
        country: rand() < 0.02 ? null : pickWeighted(rand, GUEST_COUNTRIES),
        loyalty_tier: tier < 0.7 ? "none" : tier < 0.9 ? "silver" : tier < 0.98 ? "gold" : "platinum",
        created_at: since,
        updated_at: since,
      };
      if (initial) yield { table: "customers", record: customer };
    }
    const propensity = hashUniform(seed, customerId) * 0.7;
    let prevCancel = 0;
    let prevKept = 0;
    if (returning) {
      const prev = 1 + Math.floor(-Math.log(1 - rand()) * 1.5);
      for (let k = 0; k < prev; k++) if (rand() < propensity) prevCancel++;
      prevKept = prev - prevCancel;
    }

    const logit =
      -1.7 +
      0.0045 * lead +
      (deposit === "Non Refund" ? 3.0 : 0) +
      (returning ? 2.2 * (prevCancel / (prevCancel + prevKept)) - 0.9 : 0) +
      SEGMENT_EFFECT[segment] -
      0.55 * requests -
      1.8 * parking +
      (customerType === "Transient" ? 0.3 : 0) -
      (changes > 0 ? 0.5 : 0) +
      (rand() - 0.5) * 0.6;
    const canceled = rand() < 1 / (1 + Math.exp(-logit));
    const nights = weekend + week;
    const noShow = canceled && rand() < 0.04;
    const bookedDay = arrival - lead;
    const statusDay = noShow
      ? arrival
      : canceled
        ? bookedDay + Math.floor(rand() * (lead + 1))
        : arrival + nights;

    const doy = (arrival - startDay) % 365;
    const seasonPrice = 1 + (resort ? 0.35 : 0.15) * Math.cos((2 * Math.PI * (doy - 200)) / 365);
    const adr =
      segment === "Complementary"
        ? 0
        : (35 + 22 * stars) *
          ROOM_FACTOR[reserved]! *
          seasonPrice *
          (1 + 0.15 * children) *
          (0.85 + rand() * 0.3);
    const agent =
      segment === "Online TA" || segment === "Offline TA/TO" || groups
        ? 1 + Math.floor(rand() ** 2 * 300)
        : rand() < 0.15
          ? 1 + Math.floor(rand() * 300)
          : null;
    const company = segment === "Corporate" || rand() < 0.03 ? 1 + Math.floor(rand() * 500) : null;
    const arrivalDay = dayInfo(arrival);
    const bookingId = GENERATED_BOOKING_ID_BASE + i + 1;
    const final: Booking = {
      booking_id: bookingId,
      hotel_id: GENERATED_HOTEL_ID_BASE + h + 1,
      customer_id: customerId,
      is_canceled: canceled,
      lead_time: lead,
      arrival_date: arrivalDay.iso,
      arrival_date_year: arrivalDay.year,
      arrival_date_month: arrivalDay.month,
      arrival_date_week_number: arrivalDay.week,
      arrival_date_day_of_month: arrivalDay.dom,
      stays_in_weekend_nights: weekend,
      stays_in_week_nights: week,
      adults,
      children,
      babies,
      meal: pickWeighted(rand, MEALS),
      country: rand() < 0.005 ? null : pickWeighted(rand, GUEST_COUNTRIES),
      market_segment: segment,
      distribution_channel: CHANNEL[segment],
      is_repeated_guest: returning,
      previous_cancellations: prevCancel,
      previous_bookings_not_canceled: prevKept,
      reserved_room_type: reserved,
      assigned_room_type: assigned,
      booking_changes: changes,
      deposit_type: deposit,
      agent,
      company,
      days_in_waiting_list: rand() < 0.97 ? 0 : 1 + Math.floor(rand() * 100),
      customer_type: customerType,
      adr: money(adr),
      required_car_parking_spaces: parking,
      total_of_special_requests: requests,
      reservation_status: noShow ? "No-Show" : canceled ? "Canceled" : "Check-Out",
      reservation_status_date: isoDate(statusDay),
      updated_at: new Date(statusDay * DAY_MS + Math.floor(rand() * DAY_MS)),
    };

    // Modified or canceled bookings are often first seen as booked (initial stream), updated later.
    if ((canceled || changes > 0) && rand() < updateRate) {
      const booked: Booking = {
        ...final,
        is_canceled: false,
        reservation_status: "Check-Out",
        reservation_status_date: isoDate(arrival + nights),
        booking_changes: Math.max(0, changes - 1),
        assigned_room_type: reserved,
        total_of_special_requests: Math.max(0, requests - (changes > 0 ? 1 : 0)),
        updated_at: new Date(bookedDay * DAY_MS + Math.floor(rand() * DAY_MS)),
      };
      if (final.updated_at <= booked.updated_at)
        final.updated_at = new Date(booked.updated_at.getTime() + 3_600_000);
      yield { table: "bookings", record: initial ? booked : final };
    } else if (initial) {
      yield { table: "bookings", record: final };
    }

    if (!canceled && rand() < reviewRate) {
      const quality = (stars - 2) / 3; // 0..1
      const score = Math.min(10, Math.max(1, 4.5 + 4 * quality + (rand() - 0.5) * 5));
      const band = score < 4 ? 0 : score < 6.5 ? 1 : score < 8.5 ? 2 : 3;
      const titles = REVIEW_TITLES[band]!;
      const written = new Date(
        (statusDay + 1 + Math.floor(rand() * 14)) * DAY_MS + Math.floor(rand() * DAY_MS),
      );
      const review: Review = {
        review_id: ++reviewId,
        booking_id: bookingId,
        hotel_id: GENERATED_HOTEL_ID_BASE + h + 1,
        score: score.toFixed(1),
        title: titles[Math.floor(rand() * titles.length)]!,
        body: REVIEW_BODIES[band]!,
        created_at: written,
        updated_at: written,
      };
      if (initial) yield { table: "reviews", record: review };
    }
  }
}
