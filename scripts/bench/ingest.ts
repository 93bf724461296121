/** `pnpm bench ingest [--rows N] [--pglite-rows M] [--batch B] [--main-thread] [--no-real]`: N generated
 * bookings (default 1M, with their hotels, customers and reviews) ingested — validation on, staged upsert —
 * into (a) real PostgreSQL (`PG_TEST_URL`) and (b) PGlite, beside `psql \copy` of the same rows from CSV
 * files into the same tables (fresh schema, same DDL) in the same run. Each is a child process measured for
 * wall time and peak RSS. `--main-thread` adds the PostgreSQL ingest with generation on the main thread
 * (no worker) for an A/B in the same run. Then the real file (`data/hotel_bookings.csv.gz`: gunzip, CSV
 * parse, mapping, validation) into PostgreSQL beside `\copy` of the rows it loaded (`--no-real` skips it).
 * Target: ingest ≥ 50% of `\copy` throughput, and peak RSS flat in the input size (also measured at N/10).
 * Figures, not a test: these machines are shared and noisy, the ratio is what to read. */

import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { copyTextLine, ingestRejects, quoteIdent, sourceTables } from "@hotels/schema";
import {
  type Generated,
  generate,
  type IngestSummary,
  ingest,
  ingestGenerated,
  migrate,
  openPg,
  openPglite,
  parseCopyLine,
} from "@hotels/source";
import { measure, report } from "./measure.ts";

const PG_URL = process.env.PG_TEST_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const TABLES = sourceTables.filter((t) => t.name !== ingestRejects.name);

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]!.replaceAll("_", "")) : fallback;
}

/** A COPY text line as a CSV line (empty unquoted = null, as COPY's CSV format reads it). */
function csvLine(copyLine: string): string {
  return parseCopyLine(copyLine)
    .map((v) => (v === null ? "" : /[",\n\r]/.test(v) || v === "" ? `"${v.replaceAll('"', '""')}"` : v))
    .join(",");
}

/** Writes the generated rows as one CSV per table (parents first), returns the row count. */
async function writeCsvs(dir: string, rows: number): Promise<number> {
  const out = new Map(TABLES.map((t) => [t.name, createWriteStream(path.join(dir, `${t.name}.csv`))]));
  let n = 0;
  const cols = new Map(TABLES.map((t) => [t.name, t.columns]));
  for (const g of generate({ bookings: rows, seed: 1 }) as Iterable<Generated>) {
    const s = out.get(g.table)!;
    if (!s.write(`${csvLine(copyTextLine(cols.get(g.table)!, g.record as Record<string, unknown>))}\n`))
      await once(s, "drain");
    n++;
  }
  await Promise.all([...out.values()].map((s) => new Promise((r) => s.end(r))));
  return n;
}

async function freshSchema(schema: string): Promise<void> {
  const db = await openPg(PG_URL, { schema });
  await db.execute(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await db.execute(`CREATE SCHEMA ${quoteIdent(schema)}`);
  await migrate(db);
  await db.close();
}

async function dropSchema(schema: string): Promise<void> {
  const db = await openPg(PG_URL);
  await db.execute(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await db.close();
}

const REAL_FILE = path.resolve(import.meta.dirname, "../../data/hotel_bookings.csv.gz");

/** Child: one ingest, its summary on stdout. `kind`: pg | pg-main (no worker) | pglite | real (the file). */
async function child(args: string[]): Promise<void> {
  const [kind, rowsText, schemaOrDir, batchText] = args;
  const rows = Number(rowsText);
  const db =
    kind === "pglite"
      ? await openPglite({ dataDir: schemaOrDir === "-" ? undefined : schemaOrDir })
      : await openPg(PG_URL, { schema: schemaOrDir });
  if (kind === "pglite") await migrate(db);
  const batchRows = Number(batchText) || undefined;
  const s: IngestSummary =
    kind === "real"
      ? await ingest(db, REAL_FILE, { batchRows })
      : await ingestGenerated(db, { bookings: rows, seed: 1 }, { batchRows, worker: kind !== "pg-main" });
  await db.close();
  process.stdout.write(`${JSON.stringify(s)}\n`);
}

/** `psql -f` of a script of `\copy` lines into `schema`, measured. */
async function psqlCopy(dir: string, schema: string, copies: readonly string[]) {
  const script = path.join(dir, `${schema}.sql`);
  writeFileSync(script, ["\\set ON_ERROR_STOP on", `SET search_path = ${schema};`, ...copies].join("\n"));
  return measure("psql", ["-q", PG_URL, "-f", script]);
}

const self = ["--import", "tsx", path.join(import.meta.dirname, "main.ts"), "ingest", "--child"];

export async function run(args: string[]): Promise<void> {
  if (args[0] === "--child") return child(args.slice(1));
  const rows = arg(args, "--rows", 1_000_000);
  const pgliteRows = arg(args, "--pglite-rows", rows);
  const batch = arg(args, "--batch", 0);
  const mainThread = args.includes("--main-thread");
  const real = !args.includes("--no-real");
  const dir = mkdtempSync(path.join(tmpdir(), "bench-ingest-"));
  try {
    console.log(`generating ${rows.toLocaleString("en")} bookings as CSV for the \\copy reference…`);
    const records = await writeCsvs(dir, rows);
    const figures: (string | number)[][] = [
      ["", "records", "seconds", "records/s", "vs \\copy", "peak RSS MB"],
    ];

    // (ref) psql \copy of the same rows into the same (fresh, migrated) tables.
    await freshSchema("bench_copy");
    const ref = await psqlCopy(
      dir,
      "bench_copy",
      TABLES.map((t) => `\\copy ${t.name} FROM '${path.join(dir, `${t.name}.csv`)}' WITH (FORMAT csv)`),
    );
    const refRate = records / ref.seconds;
    figures.push(["psql \\copy (PostgreSQL)", records, ref.seconds, refRate, 1, ref.peakRssMb]);
    await dropSchema("bench_copy");

    // (a) PostgreSQL, at N and at N/10 (memory flat in input size), and at N on the main thread (A/B).
    const runs: [string, number][] = [
      ["pg", rows],
      ["pg", Math.max(1000, Math.floor(rows / 10))],
    ];
    if (mainThread) runs.push(["pg-main", rows]);
    for (const [kind, n] of runs) {
      await freshSchema("bench_ingest");
      const m = await measure(process.execPath, [...self, kind, String(n), "bench_ingest", String(batch)]);
      const s = JSON.parse(m.stdout.trim().split("\n").at(-1)!) as IngestSummary;
      if (s.read !== s.loaded + s.rejected) throw new Error(`unbalanced summary: ${m.stdout}`);
      const label =
        kind === "pg-main"
          ? "  same, generated on the main thread"
          : n === rows
            ? "hotels ingest (PostgreSQL)"
            : `  same at N/10 (${n.toLocaleString("en")} bookings)`;
      figures.push([label, s.read, m.seconds, s.read / m.seconds, s.read / m.seconds / refRate, m.peakRssMb]);
      await dropSchema("bench_ingest");
    }

    // (b) PGlite on disk.
    const pgDir = path.join(dir, "pglite");
    const p = await measure(process.execPath, [...self, "pglite", String(pgliteRows), pgDir, String(batch)]);
    const ps = JSON.parse(p.stdout.trim().split("\n").at(-1)!) as IngestSummary;
    figures.push([
      `hotels ingest (PGlite${pgliteRows !== rows ? `, ${pgliteRows.toLocaleString("en")} bookings` : ""})`,
      ps.read,
      p.seconds,
      ps.read / p.seconds,
      ps.read / p.seconds / refRate,
      p.peakRssMb,
    ]);

    // (c) The real file into PostgreSQL, beside \copy of the rows it loaded (exported as CSV afterwards).
    if (real) {
      await freshSchema("bench_real");
      const m = await measure(process.execPath, [...self, "real", "0", "bench_real", String(batch)]);
      const s = JSON.parse(m.stdout.trim().split("\n").at(-1)!) as IngestSummary;
      if (s.read !== s.loaded + s.rejected) throw new Error(`unbalanced summary: ${m.stdout}`);
      const out = (t: string) => path.join(dir, `real-${t}.csv`);
      await psqlCopy(
        dir,
        "bench_real",
        ["hotels", "bookings"].map((t) => `\\copy ${t} TO '${out(t)}' WITH (FORMAT csv)`),
      );
      await dropSchema("bench_real");
      await freshSchema("bench_copy");
      const r = await psqlCopy(
        dir,
        "bench_copy",
        ["hotels", "bookings"].map((t) => `\\copy ${t} FROM '${out(t)}' WITH (FORMAT csv)`),
      );
      await dropSchema("bench_copy");
      const rate = s.read / r.seconds;
      figures.push(["psql \\copy (real file's rows)", s.read, r.seconds, rate, 1, r.peakRssMb]);
      figures.push([
        "hotels ingest data/hotel_bookings.csv.gz",
        s.read,
        m.seconds,
        s.read / m.seconds,
        s.read / m.seconds / rate,
        m.peakRssMb,
      ]);
    }

    report(
      `ingest: ${rows.toLocaleString("en")} generated bookings (+ hotels, customers, reviews); wall time incl. process start`,
      figures,
    );
    console.log("\ntarget: hotels ingest (PostgreSQL) ≥ 0.50 of \\copy; peak RSS about equal at N and N/10");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
