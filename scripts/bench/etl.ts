/** `pnpm bench etl [--rows N] [--url URL] [--repeat R] [--steady K] [--keep]`: N generated bookings (default 1M) in PostgreSQL →
 * `hotels etl` (extract → transform → load, every curated table; and the bookings steps alone, the
 * reference's scope) beside the raw path in the same run:
 * `psql \copy (SELECT …) TO` CSV + DuckDB `read_csv` → partitioned `COPY … (FORMAT parquet)`.
 * Targets: the ETL's throughput ≥ 50% of the raw path's; an incremental run after 1% of bookings changed
 * takes ≤ 10% of a full run. Figures: wall seconds and peak RSS of each process, rows/s, ratios. */
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance, dateValue, decimalValue, timestampValue } from "@duckdb/node-api";
import { bookings, duckdbCreateTable, quoteIdent } from "@hotels/schema";
import { ingestGenerated, migrate, openPg, parseCopyLine, type SqlSource } from "@hotels/source";
import { type Measured, measure, report } from "./measure.ts";

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

const root = path.resolve(import.meta.dirname, "../..");
/** The `hotels` bin as `pnpm hotels` runs it (the bundled command, rebuilt when a source changed). */
const cli = path.join(root, "apps/cli/bin/hotels.js");

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += statSync(path.join(e.parentPath, e.name)).size;
  return n;
}

/** The raw path's DuckDB half, as its own process: CSV → Hive-partitioned zstd Parquet. */
const RAW_DUCKDB = `
import { DuckDBInstance } from "@duckdb/node-api";
const [csv, out] = process.argv.slice(2);
const db = await DuckDBInstance.create(":memory:");
const c = await db.connect();
await c.run(\`COPY (SELECT * FROM read_csv('\${csv}', header = true)) TO '\${out}'
  (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (arrival_date_year, arrival_date_month), OVERWRITE_OR_IGNORE)\`);
`;

/** The two ways COPY text can enter DuckDB, on the same lines (PostgreSQL time excluded): a scratch file
 * read by `read_csv` with the schema's types (what the runner does), or the appender with typed methods. */
async function extractPaths(source: SqlSource, limit: number) {
  const lines: string[] = [];
  const cols = bookings.columns.map((c) => quoteIdent(c.name)).join(", ");
  for await (const l of source.copyOut(`SELECT ${cols} FROM bookings LIMIT ${limit}`)) lines.push(l);
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  await c.run("SET TimeZone = 'UTC'");
  // read_csv
  let t0 = performance.now();
  const file = path.join(tmpdir(), `extract-${process.pid}.tsv`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  const types = bookings.columns
    .map(
      (col) =>
        `'${col.name}': '${col.type.kind === "timestamp" ? "TIMESTAMPTZ" : col.type.kind === "decimal" ? `DECIMAL(${col.type.precision},${col.type.scale})` : { string: "VARCHAR", int32: "INTEGER", int64: "BIGINT", double: "DOUBLE", boolean: "BOOLEAN", date: "DATE" }[col.type.kind]}'`,
    )
    .join(", ");
  await c.run(
    `CREATE TABLE via_csv AS SELECT * FROM read_csv('${file}', delim = '\t', quote = '', escape = '', header = false, nullstr = '\\N', auto_detect = false, columns = {${types}})`,
  );
  const csvSeconds = (performance.now() - t0) / 1000;
  rmSync(file);
  // appender
  t0 = performance.now();
  await c.run(duckdbCreateTable(bookings, "via_appender"));
  const a = await c.createAppender("via_appender");
  for (const line of lines) {
    const cells = parseCopyLine(line);
    const appendCell = (col: (typeof bookings.columns)[number], i: number) => {
      const v = cells[i];
      if (v === null || v === undefined) return a.appendNull();
      switch (col.type.kind) {
        case "int32":
          return a.appendInteger(Number(v));
        case "int64":
          return a.appendBigInt(BigInt(v));
        case "double":
          return a.appendDouble(Number(v));
        case "boolean":
          return a.appendBoolean(v === "t");
        case "decimal": {
          const [int, frac = ""] = v.split(".");
          const scaled = BigInt(int! + frac.padEnd(col.type.scale, "0"));
          return a.appendDecimal(decimalValue(scaled, col.type.precision, col.type.scale));
        }
        case "date":
          return a.appendDate(dateValue(Math.round(Date.parse(`${v}T00:00:00Z`) / 86_400_000)));
        case "timestamp": {
          // `2024-01-01 10:00:00.123456+00`: whole seconds through Date, microseconds kept exactly.
          const m = /^(\S+) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?([+-]\d\d)?$/.exec(v)!;
          const ms = Date.parse(`${m[1]}T${m[2]}${m[4] ? `${m[4]}:00` : "Z"}`);
          return a.appendTimestamp(timestampValue(BigInt(ms) * 1000n + BigInt((m[3] ?? "").padEnd(6, "0"))));
        }
        default:
          return a.appendVarchar(v);
      }
    };
    bookings.columns.forEach(appendCell);
    a.endRow();
  }
  a.closeSync();
  const appenderSeconds = (performance.now() - t0) / 1000;
  const same = await c.runAndReadAll(
    "SELECT count(*) FROM (SELECT * FROM via_csv EXCEPT SELECT * FROM via_appender)",
  );
  c.closeSync();
  db.closeSync();
  return { rows: lines.length, csvSeconds, appenderSeconds, differing: Number(same.getRows()[0]![0]) };
}

export async function run(args: string[]): Promise<void> {
  const rows = Number(arg(args, "--rows", "1000000"));
  const base = arg(args, "--url", process.env.PG_TEST_URL ?? "postgres://postgres@127.0.0.1:5432/test");
  const work = mkdtempSync(path.join(tmpdir(), "bench-etl-"));
  const schema = `bench_etl_${rows}`;
  const url = `${base}${base.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema},public`)}`;

  // Data: generated bookings in a schema of their own (kept between runs: generating takes a while).
  const source = await openPg(base, { schema });
  await migrate(source);
  const have = Number((await source.query<{ n: string }>("SELECT count(*) AS n FROM bookings"))[0]!.n);
  if (have < rows * 0.9) {
    const t0 = performance.now();
    await source.execute("TRUNCATE reviews, bookings, customers, hotels CASCADE");
    const s = await ingestGenerated(source, { bookings: rows, seed: 1 });
    console.log(
      `generated ${s.loaded.toLocaleString("en")} records in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const n = Number((await source.query<{ n: string }>("SELECT count(*) AS n FROM bookings"))[0]!.n);
  console.log(`${n.toLocaleString("en")} bookings in ${schema}`);

  const paths = await extractPaths(source, Math.min(n, 200_000));
  report(`extract into DuckDB: COPY text of ${paths.rows.toLocaleString("en")} bookings, in-process`, [
    ["path", "seconds", "rows/s"],
    ["scratch file + read_csv (schema types)", paths.csvSeconds, paths.rows / paths.csvSeconds],
    ["appender, typed methods", paths.appenderSeconds, paths.rows / paths.appenderSeconds],
    ["rows differing between the two", paths.differing, 0],
  ]);

  // Every timed command runs `repeat` times and the fastest counts (the median is shown beside it): the
  // machine is shared and noisy, and both sides of every ratio are measured the same way. A run that
  // changes the lake starts each repeat from the same copy of it.
  const repeat = Math.max(1, Number(arg(args, "--repeat", "3")));
  const home = path.join(work, "home");
  const medians = new Map<Measured, number>();
  const fastest = async (run: () => Promise<Measured>, restore?: string): Promise<Measured> => {
    const all: Measured[] = [];
    for (let i = 0; i < repeat; i++) {
      if (restore) {
        rmSync(home, { recursive: true, force: true });
        cpSync(restore, home, { recursive: true });
      }
      all.push(await run());
    }
    const sorted = [...all].sort((a, b) => a.seconds - b.seconds);
    medians.set(sorted[0]!, sorted[Math.floor((sorted.length - 1) / 2)]!.seconds);
    return sorted[0]!;
  };
  const snapshot = (name: string) => {
    const dir = path.join(work, `lake-before-${name}`);
    cpSync(home, dir, { recursive: true });
    return dir;
  };

  // Raw path: psql \\copy → CSV, then DuckDB read_csv → partitioned Parquet.
  const csv = path.join(work, "bookings.csv");
  const cols = bookings.columns.map((c) => quoteIdent(c.name)).join(", ");
  const psql = await fastest(() =>
    measure("psql", [url, "-q", "-c", `\\copy (SELECT ${cols} FROM bookings) TO '${csv}' CSV HEADER`]),
  );
  // Plain JavaScript run by node itself (no tsx start-up), from packages/etl so @duckdb/node-api resolves.
  const rawScript = path.join(root, "packages/etl/.bench-raw-duckdb.mjs");
  writeFileSync(rawScript, RAW_DUCKDB);
  const rawOut = path.join(work, "raw-parquet");
  const duck = await fastest(() => {
    rmSync(rawOut, { recursive: true, force: true });
    return measure(process.execPath, [rawScript, csv, rawOut], { cwd: path.join(root, "packages/etl") });
  });
  rmSync(rawScript);
  const rawSeconds = psql.seconds + duck.seconds;

  // The bin rebuilds its bundle when a source changed: do that before timing anything.
  await measure(process.execPath, [cli, "--help"], { cwd: root });
  // hotels etl --full on a fresh lake (the crawl is left out: it is the lake's stage, not the ETL's).
  const env = { ...process.env, HOTELS_HOME: home, DATABASE_URL: url };
  const etl = (...a: string[]) =>
    measure(process.execPath, [cli, "etl", ...a, "--no-crawl", "--json"], { env, cwd: root });
  const full = await fastest(() => {
    rmSync(home, { recursive: true, force: true });
    return etl("--full");
  });
  const fullSummary = JSON.parse(full.stdout) as {
    seconds: number;
    steps: { job: string; step: string; seconds: number; rowsIn: number }[];
  };
  // The reference moves the bookings only; the ETL also moves hotels, customers and reviews.
  const extracted = fullSummary.steps.filter((s) => s.step === "extract").reduce((a, s) => a + s.rowsIn, 0);
  const noop = await fastest(() => etl());

  // 1% of bookings change, spread over every arrival month (the worst case for partition rewrites).
  await source.execute(
    "UPDATE bookings SET adr = adr + 1, updated_at = now() WHERE booking_id IN (SELECT booking_id FROM bookings ORDER BY md5(booking_id::text) LIMIT $1)",
    [Math.round(n / 100)],
  );
  const inc = await fastest(() => etl(), snapshot("random"));
  const incSummary = JSON.parse(inc.stdout) as {
    seconds: number;
    steps: { job: string; seconds: number; files: number }[];
  };
  // 1% of bookings change, all arriving in the latest months (upcoming stays: where changes happen).
  await source.execute(
    `UPDATE bookings SET adr = adr + 1, updated_at = now() WHERE booking_id IN (
       SELECT booking_id FROM bookings ORDER BY arrival_date DESC, booking_id LIMIT $1)`,
    [Math.round(n / 100)],
  );
  const recent = await fastest(() => etl(), snapshot("recent"));
  const recentSummary = JSON.parse(recent.stdout) as {
    seconds: number;
    steps: { job: string; seconds: number; files: number }[];
  };
  // Folding the deltas of both runs (2% of bookings) into the base files: what the incremental runs defer.
  const compact = await fastest(() => etl("--compact"), snapshot("compact"));
  const compactSummary = JSON.parse(compact.stdout) as {
    seconds: number;
    steps: { job: string; seconds: number; files: number }[];
  };
  // The reference's own scope: 1M bookings from PostgreSQL to curated.bookings, through the ETL's bookings
  // steps alone (extract, transform with its rules and dedupe, load joined with hotels and customers), on
  // the lake built above. Last, so it cannot change what the incremental runs above had to do.
  const only = await fastest(() => etl("--full", "--job", "bookings"), snapshot("only"));
  const onlySummary = JSON.parse(only.stdout) as {
    seconds: number;
    steps: { job: string; seconds: number }[];
  };
  // Steady state: `--steady K` (default 5) random 1% changes in a row, each followed by a run, from a lake
  // just compacted: what a scheduled incremental ETL costs as deltas grow until the next compaction.
  const steadyRuns = Math.max(0, Number(arg(args, "--steady", "5")));
  await etl("--compact");
  const steady: { run: number; seconds: number; operations: string }[] = [];
  for (let k = 1; k <= steadyRuns; k++) {
    await source.execute(
      "UPDATE bookings SET adr = adr + 1, updated_at = now() WHERE booking_id IN (SELECT booking_id FROM bookings ORDER BY md5(booking_id::text || $2) LIMIT $1)",
      [Math.round(n / 100), `steady-${k}`],
    );
    const r = await etl();
    const summary = JSON.parse(r.stdout) as { steps: { job: string; operation?: string }[] };
    const compacted = summary.steps.filter((x) => x.operation?.includes("compact")).map((x) => x.job);
    steady.push({ run: k, seconds: r.seconds, operations: compacted.join(" ") || "deltas only" });
  }
  await source.close();

  const curated = path.join(home, "lake", "curated", "bookings");
  report(
    `pnpm bench etl: ${n.toLocaleString("en")} bookings, PostgreSQL → curated.bookings (and every other table)`,
    [
      ["path", "seconds", "peak RSS MB", "rows/s", "MB out"],
      ["raw: psql \\copy → CSV", psql.seconds, psql.peakRssMb, n / psql.seconds, statSync(csv).size / 1e6],
      [
        "raw: DuckDB read_csv → partitioned Parquet",
        duck.seconds,
        duck.peakRssMb,
        n / duck.seconds,
        dirBytes(rawOut) / 1e6,
      ],
      [
        "raw path total",
        rawSeconds,
        Math.max(psql.peakRssMb, duck.peakRssMb),
        n / rawSeconds,
        dirBytes(rawOut) / 1e6,
      ],
      [
        "hotels etl --full (process)",
        full.seconds,
        full.peakRssMb,
        n / full.seconds,
        dirBytes(curated) / 1e6,
      ],
      ["hotels etl --full (in-process run)", fullSummary.seconds, full.peakRssMb, n / fullSummary.seconds, 0],
      [
        `  same, all ${extracted.toLocaleString("en")} extracted rows`,
        fullSummary.seconds,
        full.peakRssMb,
        extracted / fullSummary.seconds,
        0,
      ],
      ["hotels etl, no source change", noop.seconds, noop.peakRssMb, 0, 0],
      ["hotels etl after 1% changed (random)", inc.seconds, inc.peakRssMb, n / 100 / inc.seconds, 0],
      [
        "hotels etl after 1% changed (recent months)",
        recent.seconds,
        recent.peakRssMb,
        n / 100 / recent.seconds,
        0,
      ],
      ["hotels etl --compact (the 2% delta)", compact.seconds, compact.peakRssMb, 0, 0],
      [
        "hotels etl --full --job bookings (process)",
        only.seconds,
        only.peakRssMb,
        n / only.seconds,
        dirBytes(curated) / 1e6,
      ],
      ["  same, in-process run", onlySummary.seconds, only.peakRssMb, n / onlySummary.seconds, 0],
    ],
  );
  const timed = [
    ["psql \\copy", psql],
    ["DuckDB read_csv → Parquet", duck],
    ["etl --full", full],
    ["etl, no change", noop],
    ["etl, random 1%", inc],
    ["etl, recent 1%", recent],
    ["etl --compact", compact],
    ["etl --full --job bookings", only],
  ] as const;
  report(`process seconds: fastest (counted above) and median of ${repeat} runs`, [
    ["command", "fastest s", "median s"],
    ...timed.map(([name, m]) => [name, m.seconds, medians.get(m) ?? Number.NaN]),
  ]);
  // Three decimals: a ratio next to its target is not rounded onto it.
  const ratio = (process: number, inProcess: number) => [process.toFixed(3), inProcess.toFixed(3)];
  report("ratios (targets: throughput ≥ 0.50 of raw; incremental ≤ 0.10 of full)", [
    ["ratio", "process", "in-process"],
    [
      "etl throughput / raw path throughput",
      ...ratio(rawSeconds / full.seconds, rawSeconds / fullSummary.seconds),
    ],
    [
      "same, counting every extracted row",
      ...ratio(
        extracted / full.seconds / (n / rawSeconds),
        extracted / fullSummary.seconds / (n / rawSeconds),
      ),
    ],
    [
      "incremental (random 1%) / full",
      ...ratio(inc.seconds / full.seconds, incSummary.seconds / fullSummary.seconds),
    ],
    [
      "incremental (recent 1%) / full",
      ...ratio(recent.seconds / full.seconds, recentSummary.seconds / fullSummary.seconds),
    ],
    [
      "compaction / full",
      ...ratio(compact.seconds / full.seconds, compactSummary.seconds / fullSummary.seconds),
    ],
    [
      "bookings steps alone: throughput / raw path's",
      ...ratio(rawSeconds / only.seconds, rawSeconds / onlySummary.seconds),
    ],
  ]);
  report(
    "--full --job bookings, seconds per job",
    onlySummary.steps.map((s) => [s.job, s.seconds]),
  );
  report(
    "full run, seconds per job",
    fullSummary.steps.map((s) => [s.job, s.seconds]),
  );
  const perJob = (title: string, steps: { job: string; seconds: number; files: number }[]) =>
    report(
      title,
      steps.map((s) => [s.job, s.seconds, s.files]),
    );
  perJob("incremental (random 1%), seconds and files per job", incSummary.steps);
  perJob("incremental (recent 1%), seconds and files per job", recentSummary.steps);
  perJob("compaction (--compact), seconds and files per job", compactSummary.steps);
  if (steady.length)
    report(`steady state: ${steady.length} random 1% runs in a row after a compaction (one run each)`, [
      ["run", "process s", "/ full", "compacted"],
      ...steady.map((x) => [x.run, x.seconds, (x.seconds / full.seconds).toFixed(3), x.operations]),
    ]);
  if (!args.includes("--keep")) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
