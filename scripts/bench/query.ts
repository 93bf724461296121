/** `pnpm bench query [--rows N] [--runs R] [--dir DIR] [--only NAME]`: every named query through the query engine
 * (DuckDbQueryEngine: catalog/snapshot check, bound parameters, typed decoding, result CSV written to the
 * query-results zone) beside the same SQL on bare DuckDB over the same committed files, in the same run;
 * median latency of R runs each, alternating. Target: overhead ≤ 10%, and a query filtered on arrival month
 * reads only that month's files. Data: N generated bookings (default 10M) written as curated Parquet with
 * DuckDB directly, in the lake's layout, committed and catalogued as the ETL would. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  type DataFile,
  LocalCatalog,
  LocalObjectStore,
  localLayout,
  newRunId,
  parsePartition,
  TableLog,
} from "@hotels/lake";
import {
  bindNamedParams,
  DuckDbQueryEngine,
  namedQueries,
  namedQuery,
  type QueryParam,
  viewSql,
} from "@hotels/query";
import {
  bookingPredictions,
  curatedBookings,
  curatedHotelDaily,
  curatedHotels,
  curatedReviews,
  duckdbType,
  glueTableInput,
  type LakeZone,
  quoteIdent,
  schemaHash,
  type TableDef,
} from "@hotels/schema";
import { report } from "./measure.ts";

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

const HOTELS = 50;

/** Generated values per column (hash-based, deterministic); types come from the schema. */
function bookingExprs(): Record<string, string> {
  const h = (salt: number, mod: number) => `CAST(hash(i * 7919 + ${salt}) % ${mod} AS BIGINT)`;
  return {
    booking_id: "i + 1",
    hotel_id: `1 + ${h(1, HOTELS)}`,
    hotel: `CASE WHEN ${h(1, HOTELS)} % 3 = 0 THEN 'Resort Hotel ' ELSE 'City Hotel ' END || (1 + ${h(1, HOTELS)})`,
    hotel_type: `CASE WHEN ${h(1, HOTELS)} % 3 = 0 THEN 'Resort Hotel' ELSE 'City Hotel' END`,
    hotel_city: `'City ' || (1 + ${h(1, HOTELS)} % 10)`,
    hotel_country: "'PRT'",
    customer_id: `CASE WHEN ${h(2, 5)} = 0 THEN NULL ELSE 1 + ${h(3, 1000000)} END`,
    customer_loyalty_tier: `CASE WHEN ${h(2, 5)} = 0 THEN NULL ELSE ['none','silver','gold','platinum'][1 + ${h(4, 4)}] END`,
    is_canceled: `CASE WHEN ${h(5, 100)} < 37 THEN 1 ELSE 0 END`,
    lead_time: `${h(6, 400)}`,
    arrival_date: "d",
    arrival_date_year: "year(d)",
    arrival_date_month: "month(d)",
    arrival_date_week_number: "weekofyear(d)",
    arrival_date_day_of_month: "day(d)",
    stays_in_weekend_nights: `${h(7, 3)}`,
    stays_in_week_nights: `${h(8, 6)}`,
    nights: `${h(7, 3)} + ${h(8, 6)}`,
    adults: `1 + ${h(9, 3)}`,
    children: `CASE WHEN ${h(10, 50)} = 0 THEN NULL ELSE ${h(11, 3)} END`,
    babies: "0",
    guests: `1 + ${h(9, 3)}`,
    meal: `['BB','FB','HB','SC','Undefined'][1 + ${h(12, 5)}]`,
    country: `CASE WHEN ${h(13, 100)} = 0 THEN NULL ELSE ['PRT','GBR','FRA','ESP','DEU','ITA','IRL','BEL','BRA','NLD','USA','CHE'][1 + ${h(14, 12)}] END`,
    market_segment: `['Direct','Corporate','Online TA','Offline TA/TO','Groups','Complementary','Aviation'][1 + ${h(15, 7)}]`,
    distribution_channel: `['Direct','Corporate','TA/TO','GDS'][1 + ${h(16, 4)}]`,
    is_repeated_guest: `CASE WHEN ${h(17, 30)} = 0 THEN 1 ELSE 0 END`,
    previous_cancellations: `${h(18, 2)}`,
    previous_bookings_not_canceled: `${h(19, 3)}`,
    reserved_room_type: `['A','B','C','D','E','F','G'][1 + ${h(20, 7)}]`,
    assigned_room_type: `['A','B','C','D','E','F','G'][1 + ${h(21, 7)}]`,
    booking_changes: `${h(22, 3)}`,
    deposit_type: `['No Deposit','Refundable','Non Refund'][1 + ${h(23, 3)}]`,
    agent: `CASE WHEN ${h(24, 7)} = 0 THEN NULL ELSE ${h(25, 300)} END`,
    company: `CASE WHEN ${h(26, 20)} = 0 THEN ${h(27, 500)} ELSE NULL END`,
    days_in_waiting_list: "0",
    customer_type: `['Transient','Contract','Transient-Party','Group'][1 + ${h(28, 4)}]`,
    adr: `(40 + ${h(29, 20000)} / 100.0)`,
    revenue: `CASE WHEN ${h(5, 100)} < 37 THEN 0 ELSE (40 + ${h(29, 20000)} / 100.0) * (${h(7, 3)} + ${h(8, 6)}) END`,
    required_car_parking_spaces: `${h(30, 2)}`,
    total_of_special_requests: `${h(31, 4)}`,
    reservation_status: `CASE WHEN ${h(5, 100)} < 37 THEN 'Canceled' ELSE 'Check-Out' END`,
    reservation_status_date: "d",
    updated_at: "TIMESTAMP '2017-09-01 00:00:00'",
    arrival_year: "year(d)",
    arrival_month: "month(d)",
  };
}

/** `SELECT CAST(expr AS <schema type>) AS col, …` for every column of a table, partition keys last. */
function typedSelect(t: TableDef, exprs: Record<string, string>): string {
  return [...t.columns, ...(t.partitionKeys ?? [])]
    .map((c) => {
      const e = exprs[c.name];
      if (!e) throw new Error(`bench generator has no value for ${t.name}.${c.name}`);
      return `CAST(${e} AS ${duckdbType(c.type)}) AS ${quoteIdent(c.name)}`;
    })
    .join(",\n  ");
}

export async function run(args: string[]): Promise<void> {
  const rows = Number(arg(args, "--rows", "10000000"));
  const runs = Number(arg(args, "--runs", "5"));
  const keep = args.includes("--keep");
  const root = arg(args, "--dir", "") || mkdtempSync(path.join(tmpdir(), "hotels-bench-query-"));
  mkdirSync(root, { recursive: true });
  const store = new LocalObjectStore(root);
  const layout = localLayout(root);
  const snapshots = new TableLog({ store, layout });
  const catalog = new LocalCatalog(store);
  const runId = newRunId();

  // --- data: written with DuckDB in the lake layout, then committed + catalogued ---
  let t0 = performance.now();
  const gen = await (await DuckDBInstance.create(":memory:")).connect();
  const write = async (t: TableDef, select: string) => {
    const zone = t.zone as LakeZone;
    const dir = path.join(root, layout.bucket(zone), t.name);
    const parts = (t.partitionKeys ?? []).map((c) => quoteIdent(c.name));
    const options = parts.length
      ? `, PARTITION_BY (${parts.join(", ")}), FILENAME_PATTERN '${runId}-{i}', OVERWRITE_OR_IGNORE`
      : "";
    const target = parts.length ? dir : path.join(dir, `${runId}-0.parquet`);
    mkdirSync(dir, { recursive: true });
    await gen.run(`COPY (${select}) TO '${target}' (FORMAT parquet, COMPRESSION zstd${options})`);
    const files: DataFile[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.startsWith(runId) && e.name.endsWith(".parquet")) {
          const key = path
            .relative(path.join(root, layout.bucket(zone)), p)
            .split(path.sep)
            .join("/");
          files.push({
            key,
            rows: 0,
            bytes: statSync(p).size,
            ...(parts.length ? { partition: parsePartition(key) } : {}),
          });
        }
      }
    };
    walk(dir);
    // Row counts per file from the Parquet footers (what the ETL records).
    const counted: DataFile[] = [];
    for (const f of files) {
      const r = await gen.runAndReadAll(
        `SELECT sum(num_rows) FROM parquet_file_metadata('${path.join(root, layout.bucket(zone), f.key)}')`,
      );
      counted.push({ ...f, rows: Number(r.getRows()[0]![0]) });
    }
    await catalog.ensureDatabase(zone);
    await catalog.putTable(zone, glueTableInput(t, layout.uri(zone, `${t.name}/`)));
    await snapshots.commit(zone, t.name, {
      runId,
      files: counted,
      schemaHash: schemaHash(t),
      operation: "overwrite",
    });
    return counted;
  };
  const existing = await snapshots.current("curated", "bookings");
  let bookingFiles = existing?.files ?? [];
  // A lake of the same size left by `--dir DIR --keep` is reused: generating 10M rows takes minutes.
  if (existing?.rows !== rows) {
    const dates = "DATE '2015-07-01' + CAST(hash(i) % 1096 AS INTEGER)";
    bookingFiles = await write(
      curatedBookings,
      `SELECT ${typedSelect(curatedBookings, bookingExprs())} FROM (SELECT i, ${dates} AS d FROM range(${rows}) t(i))`,
    );
    await write(
      curatedHotels,
      `SELECT ${typedSelect(curatedHotels, {
        hotel_id: "i",
        name: "CASE WHEN (i - 1) % 3 = 0 THEN 'Resort Hotel ' ELSE 'City Hotel ' END || i",
        hotel_type: "CASE WHEN (i - 1) % 3 = 0 THEN 'Resort Hotel' ELSE 'City Hotel' END",
        city: "'City ' || (i % 10)",
        country: "'PRT'",
        star_rating: "1 + i % 5",
        room_count: "50 + (i * 37) % 400",
        created_at: "TIMESTAMP '2015-01-01 00:00:00'",
        updated_at: "TIMESTAMP '2015-01-01 00:00:00'",
      })} FROM range(1, ${HOTELS + 1}) t(i)`,
    );
    await write(
      curatedHotelDaily,
      `SELECT ${typedSelect(curatedHotelDaily, {
        hotel_id: "h",
        hotel: "CASE WHEN (h - 1) % 3 = 0 THEN 'Resort Hotel ' ELSE 'City Hotel ' END || h",
        stay_date: "d",
        occupied_rooms: "(hash(h * 100000 + day) % 50)",
        room_revenue: "(hash(h * 100000 + day) % 50) * 95.5",
        adr: "CASE WHEN hash(h * 100000 + day) % 50 = 0 THEN NULL ELSE 95.5 END",
        arrivals: "hash(h + day) % 20",
        cancellations: "hash(h * 3 + day) % 10",
        stay_year: "year(d)",
        stay_month: "month(d)",
      })} FROM (SELECT h, day, DATE '2015-07-01' + CAST(day AS INTEGER) AS d FROM range(1, ${HOTELS + 1}) a(h), range(0, 1096) b(day))`,
    );
    await write(
      curatedReviews,
      `SELECT ${typedSelect(curatedReviews, {
        review_id: "i + 1",
        booking_id: `1 + hash(i) % ${rows}`,
        hotel_id: `1 + hash(i) % ${HOTELS}`,
        hotel: `CASE WHEN (hash(i) % ${HOTELS}) % 3 = 0 THEN 'Resort Hotel ' ELSE 'City Hotel ' END || (1 + hash(i) % ${HOTELS})`,
        score: "1 + (hash(i * 3) % 91) / 10.0",
        title: "'stay'",
        body: "'ok'",
        created_at: "TIMESTAMP '2017-09-01 00:00:00'",
        updated_at: "TIMESTAMP '2017-09-01 00:00:00'",
      })} FROM range(${Math.max(1, Math.floor(rows / 10))}) t(i)`,
    );
    const bk = path.join(root, layout.bucket("curated"), "bookings", "**", "*.parquet");
    await write(
      bookingPredictions,
      `SELECT ${typedSelect(bookingPredictions, {
        booking_id: "booking_id",
        hotel_id: "hotel_id",
        hotel: "hotel",
        arrival_date: "arrival_date",
        probability: "(hash(booking_id) % 1000) / 1000.0",
        predicted_label: "CASE WHEN hash(booking_id) % 1000 >= 500 THEN 1 ELSE 0 END",
        is_canceled: "is_canceled",
        model_name: "'cancellation'",
        model_version: "'v1'",
        scored_at: "TIMESTAMP '2017-09-01 00:00:00'",
        arrival_year: "arrival_year",
        arrival_month: "arrival_month",
      })} FROM read_parquet('${bk}', hive_partitioning = true) WHERE arrival_year = 2017`,
    );
  }
  gen.closeSync();
  const genSeconds = (performance.now() - t0) / 1000; // ~0 when reused
  const bytes = bookingFiles.reduce((n, f) => n + f.bytes, 0);
  console.log(
    `data: ${rows.toLocaleString("en")} bookings in ${bookingFiles.length} files (${(bytes / 1024 ** 2).toFixed(0)} MB) + hotels, hotel_daily, reviews, predictions, ${existing?.rows === rows ? "reused" : `written in ${genSeconds.toFixed(1)} s`} under ${root}`,
  );

  // --- the engine, and bare DuckDB over the same committed files ---
  const engine = await DuckDbQueryEngine.create({ store, layout, catalog, snapshots });
  const bare = await (await DuckDBInstance.create(":memory:")).connect();
  for (const zone of ["curated", "predictions"] as const) {
    await bare.run(`CREATE SCHEMA ${zone}`);
    for (const t of await catalog.getTables(zone)) {
      const snap = await snapshots.current(zone, t.Name);
      await bare.run(
        viewSql(
          zone,
          t,
          (snap?.files ?? []).map((f) => store.localPath(layout.bucket(zone), f.key)),
        ),
      );
    }
  }
  /** The same SQL with the same typed binds, nothing else: prepare, bind, run, and materialise the rows
   * as JS row objects (what the engine hands back; a client of bare DuckDB would do the same). */
  const bareQuery = async (sql: string, params: readonly QueryParam[], asValues = false) => {
    const p = await bare.prepare(sql);
    for (const [i, v] of params.entries()) {
      if (v === null) p.bindNull(i + 1);
      else if (typeof v === "number") p.bindInteger(i + 1, v);
      else if (typeof v === "boolean") p.bindBoolean(i + 1, v);
      else p.bindVarchar(i + 1, v);
    }
    const reader = await p.runAndReadAll();
    // asValues: DuckDB's value arrays (no conversion to plain JS values): the cheapest materialisation.
    return asValues ? reader.getRows().length : reader.getRowObjectsJS().length;
  };
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };

  // The engine's fixed cost per query (freshness check, result files, decoding) on a query that reads nothing.
  {
    const e: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < 20; r++) {
      t0 = performance.now();
      await engine.query("SELECT 1 AS one");
      e.push(performance.now() - t0);
      await engine.flushResults();
      t0 = performance.now();
      await bareQuery("SELECT 1 AS one", []);
      b.push(performance.now() - t0);
    }
    console.log(
      `fixed cost per query (SELECT 1, median of 20): engine ${median(e).toFixed(1)} ms, bare ${median(b).toFixed(1)} ms`,
    );
  }
  const only = arg(args, "--only", "");
  const cases = [
    ...namedQueries().map((q) => ({ label: q.name, name: q.name, params: {} as Record<string, unknown> })),
    { label: "adr_revenue_by_month 2016-07", name: "adr_revenue_by_month", params: { year: 2016, month: 7 } },
  ].filter((c) => !only || c.label.startsWith(only));
  const table: (string | number)[][] = [
    [
      "query",
      "rows",
      "engine ms",
      "bare ms",
      "overhead % (paired)",
      "bare getRows ms",
      "overhead vs getRows %",
      "files scanned",
    ],
  ];
  let engineTotal = 0;
  let bareTotal = 0;
  let valuesTotal = 0;
  for (const c of cases) {
    const q = namedQuery(c.name);
    const values = bindNamedParams(q, c.params);
    const e: number[] = [];
    const b: number[] = [];
    const bv: number[] = [];
    let files: number | undefined;
    let n = 0;
    // One warm-up each (file metadata and OS cache), then alternate.
    await engine.query(q.sql, values);
    await engine.flushResults();
    await bareQuery(q.sql, values);
    for (let r = 0; r < runs; r++) {
      t0 = performance.now();
      const res = await engine.query(q.sql, values);
      e.push(performance.now() - t0);
      files = res.stats?.filesScanned;
      n = res.rows.length;
      // A large result's file is written after the engine answered: not charged to the bare query that follows.
      await engine.flushResults();
      t0 = performance.now();
      await bareQuery(q.sql, values);
      b.push(performance.now() - t0);
      t0 = performance.now();
      await bareQuery(q.sql, values, true);
      bv.push(performance.now() - t0);
    }
    const em = median(e);
    const bm = median(b);
    const vm = median(bv);
    engineTotal += em;
    bareTotal += bm;
    valuesTotal += vm;
    // Overhead from adjacent pairs: both ran under the same load (this machine is shared and noisy).
    const paired = median(e.map((x, i) => x / b[i]!));
    const pairedValues = median(e.map((x, i) => x / bv[i]!));
    table.push([
      c.label,
      n,
      Math.round(em),
      Math.round(bm),
      ((paired - 1) * 100).toFixed(1),
      Math.round(vm),
      ((pairedValues - 1) * 100).toFixed(1),
      files ?? "?",
    ]);
  }
  table.push([
    "all (sum of medians)",
    "",
    Math.round(engineTotal),
    Math.round(bareTotal),
    ((engineTotal / bareTotal - 1) * 100).toFixed(1),
    Math.round(valuesTotal),
    ((engineTotal / valuesTotal - 1) * 100).toFixed(1),
    "",
  ]);
  report(
    `query engine vs bare DuckDB, ${rows.toLocaleString("en")} bookings, median of ${runs} (target overhead ≤ 10%; curated.bookings has ${bookingFiles.length} files, one per arrival month)`,
    table,
  );
  await engine.close();
  bare.closeSync();
  if (!keep && !arg(args, "--dir", "")) rmSync(root, { recursive: true, force: true });
}
