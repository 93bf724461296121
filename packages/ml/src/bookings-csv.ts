import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { monthNumber } from "@hotels/schema";
import { parse } from "csv-parse/sync";

/** Reads the Hotel booking demand CSV (gzip or plain) straight into curated-bookings-shaped rows for the
 * feature spec (`hotel` → `hotel_type`, month names → numbers, `NA`/`NULL` → null, numbers parsed). For
 * benchmarks and tests that need the real data without the lake; the pipeline reads curated.bookings. */
export function readBookingsCsv(file: string, limit = Number.POSITIVE_INFINITY): Record<string, unknown>[] {
  const raw = readFileSync(file);
  const text = (file.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  const records = parse(text, {
    columns: true,
    skip_empty_lines: true,
    to: limit === Infinity ? undefined : limit,
  }) as Record<string, string>[];
  const strings = new Set([
    "hotel",
    "meal",
    "country",
    "market_segment",
    "distribution_channel",
    "reserved_room_type",
    "assigned_room_type",
    "deposit_type",
    "customer_type",
    "reservation_status",
    "reservation_status_date",
  ]);
  return records.map((rec, i) => {
    const row: Record<string, unknown> = { booking_id: i + 1 };
    for (const [k, v] of Object.entries(rec)) {
      const value = v === "NA" || v === "NULL" || v === "" ? null : v;
      if (k === "hotel") row.hotel_type = value;
      else if (k === "arrival_date_month") row[k] = value === null ? null : (monthNumber(value) ?? null);
      else if (strings.has(k)) row[k] = value;
      else {
        const x = value === null ? null : Number(value);
        if (x !== null && !Number.isFinite(x))
          throw new Error(`${file}:${i + 2}: ${k} is not a number: ${JSON.stringify(v)}`);
        row[k] = x;
      }
    }
    return row;
  });
}
