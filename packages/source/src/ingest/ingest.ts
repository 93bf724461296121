import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { copyTextLine, hotels, type Problem, type TableDef, validateRecord } from "@hotels/schema";
import { parse } from "csv-parse";
import { splitLines } from "../copy-text.ts";
import type { SqlSource } from "../port.ts";
import { HOTEL_BOOKINGS_HOTELS, isHotelBookingsHeader, mapHotelBooking } from "./hotel-bookings.ts";
import {
  type Batch,
  emptyBatch,
  INGEST_TABLES,
  type IngestTableName,
  type TableCounts,
  writeBatch,
  zeroCounts,
} from "./load.ts";
import { decodeUtf8, IngestFormatError, type TextStream } from "./read.ts";
import { tableCodec } from "./validate.ts";

export type IngestFormat = "csv" | "ndjson";

export interface IngestProgress {
  readonly read: number;
  readonly loaded: number;
  readonly rejected: number;
  readonly seconds: number;
}

export interface IngestOptions {
  /** Input format; default from the name (`.csv`, `.ndjson`/`.jsonl`/`.json`, `.gz` ignored), else from the
   * first character (`{` = NDJSON). */
  readonly format?: IngestFormat;
  /** Table of plain records. Default: a CSV's table from its header (the data set's 32 columns, or a source
   * table's columns), NDJSON `{"table": …, "record": …}` envelopes. */
  readonly table?: IngestTableName;
  /** Name recorded in quarantine rows; default the path given, `stdin` for `-`, `stream` otherwise. */
  readonly sourceName?: string;
  /** Records per batch, one transaction each (default 10,000). */
  readonly batchRows?: number;
  /** Called after every batch. */
  readonly onProgress?: (p: IngestProgress) => void;
}

export interface IngestSummary extends TableCounts {
  readonly source: string;
  readonly format: IngestFormat | "generated";
  /** Counts per target table; each balances: read = loaded + rejected, loaded = inserted + updated +
   * unchanged. */
  readonly byTable: Record<string, TableCounts>;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

/** One record on its way in: checked and encoded, or refused with its problems. */
export type IngestItem =
  | {
      readonly table: TableDef;
      readonly line: number;
      readonly ok: true;
      readonly copy: string;
      readonly key: string;
    }
  | {
      readonly table: TableDef;
      readonly line: number;
      readonly ok: false;
      readonly problems: readonly Problem[];
      readonly record: unknown;
    };

const keyOf = (t: TableDef, r: Readonly<Record<string, unknown>>): string =>
  t.primaryKey.length === 1
    ? String(r[t.primaryKey[0]!])
    : t.primaryKey.map((k) => String(r[k])).join("\u001f");

/** Checks a typed record (generator, mapped CSV row) with the compiled codec. `earlier` are problems found
 * while decoding text; the codec's problems on the same fields are not repeated. */
export function checkRecord(
  t: TableDef,
  line: number,
  record: Readonly<Record<string, unknown>>,
  raw: unknown = record,
  earlier: readonly Problem[] = [],
): IngestItem {
  const r = tableCodec(t).fromValues(record);
  if (r.ok && earlier.length === 0) return { table: t, line, ok: true, copy: r.line, key: keyOf(t, record) };
  // A field left undefined by a failed decode or mapping was reported already (maybe under its source name,
  // e.g. `hotel` for `hotel_id`): its "required" would be noise.
  const seen = new Set(earlier.map((p) => p.field));
  const more = r.ok
    ? []
    : r.problems.filter(
        (p) =>
          !seen.has(p.field) && !(earlier.length && p.rule === "required" && record[p.field!] === undefined),
      );
  return { table: t, line, ok: false, problems: [...earlier, ...more], record: raw };
}

const byName = new Map<string, TableDef>(INGEST_TABLES.map((t) => [t.name, t]));

function tableNamed(name: string): TableDef {
  const t = byName.get(name);
  if (!t) throw new Error(`unknown table ${JSON.stringify(name)} (one of: ${[...byName.keys()].join(", ")})`);
  return t;
}

/** CSV → items. The header picks the mapping: the Hotel booking demand data set, or a source table. */
async function* csvItems(
  file: string,
  text: TextStream,
  options: IngestOptions,
  onHotelBookings: () => Promise<void>,
): AsyncGenerator<IngestItem> {
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, info: true });
  const piped = pipeline(Readable.from(text.chunks), parser);
  piped.catch(() => {}); // its error reaches us through the parser's iteration
  let header: string[] | null = null;
  let mapRow: ((cells: Record<string, string>, line: number) => IngestItem) | null = null;
  let pending: { cells: Record<string, string>; line: number } | null = null;
  const emit = (p: { cells: Record<string, string>; line: number }, last: boolean): IngestItem => {
    const item = mapRow!(p.cells, p.line);
    if (last && !item.ok && !text.endedWithNewline()) {
      const pr = item.problems[0]!;
      throw new IngestFormatError(
        file,
        p.line,
        `truncated last line (no final newline; ${pr.field ?? "record"}: ${pr.rule})`,
      );
    }
    return item;
  };
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (!header) {
        header = record.map((h) => h.trim());
        const dup = header.find((h, i) => header!.indexOf(h) !== i);
        if (dup)
          throw new IngestFormatError(file, info.lines, `header names column ${JSON.stringify(dup)} twice`);
        if (!options.table && isHotelBookingsHeader(header)) {
          await onHotelBookings();
          mapRow = (cells, line) => {
            const m = mapHotelBooking(cells, line);
            return checkRecord(tableNamed("bookings"), line, m.record, cells, m.problems);
          };
        } else {
          const t = options.table
            ? tableNamed(options.table)
            : INGEST_TABLES.find((t) => sameColumns(t, header!));
          if (!t) {
            throw new IngestFormatError(
              file,
              info.lines,
              `header matches neither the hotel_bookings data set nor a source table (${[...byName.keys()].join(", ")})`,
            );
          }
          const want = t.columns.map((c) => c.name);
          const missing = want.filter((c) => !header!.includes(c));
          const extra = header.filter((c) => !want.includes(c));
          if (missing.length || extra.length) {
            throw new IngestFormatError(
              file,
              info.lines,
              `header does not match table ${t.name}${missing.length ? `: missing ${missing.join(", ")}` : ""}${extra.length ? `: unknown ${extra.join(", ")}` : ""}`,
            );
          }
          const codec = tableCodec(t);
          mapRow = (cells, line) => {
            const d = codec.decodeText(cells);
            return checkRecord(t, line, d.record, cells, d.problems);
          };
        }
        continue;
      }
      const cells: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) cells[header[i]!] = record[i]!;
      if (pending) yield emit(pending, false);
      pending = { cells, line: info.lines };
    }
  } catch (e) {
    throw asFormatError(file, e, text.lines());
  }
  if (!header) throw new IngestFormatError(file, 1, "empty input: no header line");
  if (pending) yield emit(pending, true);
}

function sameColumns(t: TableDef, header: readonly string[]): boolean {
  return t.columns.length === header.length && t.columns.every((c) => header.includes(c.name));
}

function asFormatError(file: string, e: unknown, lines: number): Error {
  if (e instanceof IngestFormatError) return e;
  const err = e as Error & { code?: string; lines?: number };
  const line = err.lines ?? lines;
  switch (err.code) {
    case "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH":
    case "CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH":
      return new IngestFormatError(file, line, `wrong column count (${err.message.replace(/^.*?: /, "")})`);
    case "CSV_QUOTE_NOT_CLOSED":
      return new IngestFormatError(
        file,
        line,
        "unterminated quoted field (quote not closed before end of input)",
      );
    case "CSV_INVALID_CLOSING_QUOTE":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return new IngestFormatError(
        file,
        line,
        `malformed quoted field (${err.message.replace(/^.*?: /, "")})`,
      );
    default:
      return err.code?.startsWith("CSV_") ? new IngestFormatError(file, line, err.message) : err;
  }
}

/** NDJSON → items: one JSON object a line, a plain record of `options.table` or an envelope
 * `{"table": "bookings", "record": {…}}`. A line that is not JSON refuses the file. */
async function* ndjsonItems(
  file: string,
  text: TextStream,
  options: IngestOptions,
): AsyncGenerator<IngestItem> {
  let line = 0;
  for await (const raw of splitLines(text.chunks)) {
    line++;
    const s = raw.trim();
    if (s === "") continue;
    let obj: unknown;
    try {
      obj = JSON.parse(s);
    } catch (e) {
      const truncated = line === text.lines() + 1 && !text.endedWithNewline();
      throw new IngestFormatError(
        file,
        line,
        `${truncated ? "truncated last line: " : ""}not valid JSON (${(e as Error).message})`,
      );
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj))
      throw new IngestFormatError(file, line, "not a JSON object");
    const o = obj as Record<string, unknown>;
    let t: TableDef;
    let rec: unknown;
    if (
      !options.table &&
      typeof o.table === "string" &&
      typeof o.record === "object" &&
      Object.keys(o).length === 2
    ) {
      const found = byName.get(o.table);
      if (!found) {
        yield {
          table: hotels,
          line,
          ok: false,
          problems: [
            {
              field: "table",
              value: o.table,
              rule: `unknown table (one of: ${[...byName.keys()].join(", ")})`,
            },
          ],
          record: o,
        };
        continue;
      }
      t = found;
      rec = o.record;
    } else if (options.table) {
      t = tableNamed(options.table);
      rec = o;
    } else {
      throw new IngestFormatError(
        file,
        line,
        'no table: pass a table, or write {"table": …, "record": …} lines',
      );
    }
    const v = validateRecord(t, rec);
    if (v.ok) {
      const r = v.value as Record<string, unknown>;
      yield { table: t, line, ok: true, copy: copyTextLine(t.columns, r), key: keyOf(t, r) };
    } else yield { table: t, line, ok: false, problems: v.problems, record: rec };
  }
}

/** Reads the first text chunk and gives back a stream that still starts with it. */
async function peekText(text: TextStream): Promise<{ first: string; text: TextStream }> {
  const it = text.chunks[Symbol.asyncIterator]();
  const head = await it.next();
  const first = head.done ? "" : head.value;
  const chunks = (async function* () {
    if (!head.done) yield head.value;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  })();
  return { first, text: { ...text, chunks } };
}

function detectFormat(name: string): IngestFormat | undefined {
  const base = name.toLowerCase().replace(/\.gz$/, "");
  if (base.endsWith(".csv")) return "csv";
  if (base.endsWith(".ndjson") || base.endsWith(".jsonl") || base.endsWith(".json")) return "ndjson";
  return undefined;
}

/** Ingests a file (`-` = stdin) or byte stream: CSV or NDJSON, gzip or plain. Every record is validated;
 * valid ones are upserted in batches (one transaction each), invalid ones quarantined in `ingest_rejects`
 * with file, line, field, value and rule. A structurally unreadable input throws `IngestFormatError`
 * (`file:line: what`) and commits nothing of the batch it was in. */
export async function ingest(
  source: SqlSource,
  input: string | Readable | AsyncIterable<Uint8Array>,
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const file =
    options.sourceName ?? (typeof input === "string" ? (input === "-" ? "stdin" : input) : "stream");
  let text = decodeUtf8(file, input);
  let format = options.format ?? detectFormat(file);
  if (!format) {
    // Neither given nor in the name: NDJSON when the first character (after decompression) is `{`.
    const peeked = await peekText(text);
    text = peeked.text;
    format = peeked.first.trimStart().startsWith("{") ? "ndjson" : "csv";
  }
  const items =
    format === "csv"
      ? csvItems(file, text, options, () => ensureHotelBookingsHotels(source))
      : ndjsonItems(file, text, options);
  return ingestItems(source, items, { ...options, sourceName: file }, format);
}

/** Imports the Hotel booking demand data set (default `data/hotel_bookings.csv.gz`). */
export function importHotelBookings(
  source: SqlSource,
  input: string | Readable | AsyncIterable<Uint8Array> = path.join("data", "hotel_bookings.csv.gz"),
  options: Omit<IngestOptions, "format" | "table"> = {},
): Promise<IngestSummary> {
  return ingest(source, input, { ...options, format: "csv" });
}

/** Upserts the data set's two hotels (idempotent; not counted in a summary). */
export async function ensureHotelBookingsHotels(source: SqlSource): Promise<void> {
  const lines = HOTEL_BOOKINGS_HOTELS.map((h) => copyTextLine(hotels.columns, h));
  const batch = emptyBatch();
  batch.rows.set(hotels, {
    lines,
    lineNos: lines.map((_, i) => i),
    keys: new Set(HOTEL_BOOKINGS_HOTELS.map((h) => String(h.hotel_id))),
  });
  await writeBatch(source, batch, "hotel_bookings");
}

/** Records taken between two turns of the event loop while a batch is being written. A synchronous source
 * (the generator), or an async one that is always ready (a worker ahead of us: only microtasks), would hold
 * the event loop for a whole batch, and the batch in flight would not be streamed to the database meanwhile. */
const YIELD_EVERY = 500;

/** The core: batches checked items and writes them; counts balance per table. */
export async function ingestItems(
  source: SqlSource,
  items: Iterable<IngestItem> | AsyncIterable<IngestItem>,
  options: IngestOptions & { readonly sourceName: string },
  format: IngestFormat | "generated",
): Promise<IngestSummary> {
  const t0 = performance.now();
  const batchRows = options.batchRows ?? 10_000;
  const byTable: Record<string, TableCounts> = {};
  const counts = (name: string) => (byTable[name] ??= zeroCounts());
  let batch: Batch = emptyBatch();
  let inBatch = 0;
  const total = () => {
    const s = zeroCounts();
    for (const c of Object.values(byTable)) {
      s.read += c.read;
      s.loaded += c.loaded;
      s.rejected += c.rejected;
      s.inserted += c.inserted;
      s.updated += c.updated;
      s.unchanged += c.unchanged;
    }
    return s;
  };
  // One batch is written while the next is read and checked: PostgreSQL works while JS does.
  let inFlight: Promise<void> | null = null;
  const settle = async () => {
    const w = inFlight;
    inFlight = null;
    if (w) await w;
  };
  const flush = async () => {
    if (inBatch === 0) return;
    await settle();
    const current = batch;
    batch = emptyBatch();
    inBatch = 0;
    inFlight = writeBatch(source, current, options.sourceName).then((written) => {
      for (const [name, c] of written) {
        const into = counts(name);
        into.loaded += c.loaded;
        into.rejected += c.rejected;
        into.inserted += c.inserted;
        into.updated += c.updated;
        into.unchanged += c.unchanged;
      }
      for (const r of current.rejects) counts(r.table).rejected += 1;
      if (options.onProgress) {
        const s = total();
        options.onProgress({
          read: s.read,
          loaded: s.loaded,
          rejected: s.rejected,
          seconds: (performance.now() - t0) / 1000,
        });
      }
    });
    // Surfaces at the next settle; until then, keep an unhandled rejection from crashing the process.
    inFlight.catch(() => {});
  };
  /** Adds one item; returns a promise only when a batch had to be flushed (sync inputs then stay sync). */
  const add = (item: IngestItem): Promise<void> | undefined => {
    counts(item.table.name).read += 1;
    if (!item.ok) {
      batch.rejects.push({
        table: item.table.name,
        line: item.line,
        problems: item.problems,
        record: item.record,
      });
    } else {
      const rows = batch.rows.get(item.table);
      // A second version of a record in one batch: the merge can touch a row once, so split here.
      if (rows?.keys.has(item.key))
        return flush().then(() => {
          append(item);
          inBatch++;
        });
      append(item);
    }
    if (++inBatch >= batchRows) return flush();
    return undefined;
  };
  const append = (item: IngestItem & { ok: true }) => {
    let rows = batch.rows.get(item.table);
    if (!rows) {
      rows = { lines: [], lineNos: [], keys: new Set() };
      batch.rows.set(item.table, rows);
    }
    rows.lines.push(item.copy);
    rows.lineNos.push(item.line);
    rows.keys.add(item.key);
  };
  try {
    if (Symbol.iterator in items) {
      let sinceYield = 0;
      for (const item of items as Iterable<IngestItem>) {
        const p = add(item);
        if (p) await p;
        else if (++sinceYield >= YIELD_EVERY && inFlight) {
          sinceYield = 0;
          await new Promise(setImmediate);
        }
      }
    } else {
      let sinceYield = 0;
      for await (const item of items) {
        const p = add(item);
        if (p) await p;
        else if (++sinceYield >= YIELD_EVERY && inFlight) {
          sinceYield = 0;
          await new Promise(setImmediate);
        }
      }
    }
    await flush();
  } catch (e) {
    // A refused input: the batch being read is dropped; an earlier one still in flight is let finish.
    await settle().catch(() => {});
    throw e;
  }
  await settle();
  const s = total();
  const seconds = (performance.now() - t0) / 1000;
  return {
    source: options.sourceName,
    format,
    ...s,
    byTable,
    seconds,
    rowsPerSecond: seconds > 0 ? s.read / seconds : 0,
  };
}

/** Checked items of any stream of `{ table, record }` typed records (the generator's); `line` is the
 * record's ordinal in the stream. */
export function* recordItems(
  records: Iterable<{ readonly table: string; readonly record: object }>,
): Generator<IngestItem> {
  let line = 0;
  for (const { table, record } of records) {
    line++;
    yield checkRecord(tableNamed(table), line, record as Record<string, unknown>);
  }
}
