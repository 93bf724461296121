/** `pnpm bench ingest [--rows N] [--pglite-rows M] [--batch B]`: N generated bookings (default 1M, with their
 * hotels, customers and reviews) ingested — validation on, staged upsert — into (a) real PostgreSQL
 * (`PG_TEST_URL`) and (b) PGlite, beside `psql \copy` of the same rows from CSV files into the same tables
 * (fresh schema, same DDL) in the same run. Each is a child process measured for wall time and peak RSS.
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

/** Child: one ingest, its summary on stdout. */
async function child(args: string[]): Promise<void> {
  const [kind, rowsText, schemaOrDir, batchText] = args;
  const rows = Number(rowsText);
  const db =
    kind === "pg"
      ? await openPg(PG_URL, { schema: schemaOrDir })
      : await openPglite({ dataDir: schemaOrDir === "-" ? undefined : schemaOrDir });
  if (kind !== "pg") await migrate(db);
  const s: IngestSummary = await ingestGenerated(
    db,
    { bookings: rows, seed: 1 },
    { batchRows: Number(batchText) || undefined },
  );
  await db.close();
  process.stdout.write(`${JSON.stringify(s)}\n`);
}

const self = ["--import", "tsx", path.join(import.meta.dirname, "main.ts"), "ingest", "--child"];

export async function run(args: string[]): Promise<void> {
  if (args[0] === "--child") return child(args.slice(1));
  const rows = arg(args, "--rows", 1_000_000);
  const pgliteRows = arg(args, "--pglite-rows", rows);
  const batch = arg(args, "--batch", 0);
  const dir = mkdtempSync(path.join(tmpdir(), "bench-ingest-"));
  try {
    console.log(`generating ${rows.toLocaleString("en")} bookings as CSV for the \\copy reference…`);
    const records = await writeCsvs(dir, rows);
    const figures: (string | number)[][] = [
      ["", "records", "seconds", "records/s", "vs \\copy", "peak RSS MB"],
    ];

    // (ref) psql \copy of the same rows into the same (fresh, migrated) tables.
    await freshSchema("bench_copy");
    const script = path.join(dir, "copy.sql");
    writeFileSync(
      script,
      [
        "\\set ON_ERROR_STOP on",
        "SET search_path = bench_copy;",
        ...TABLES.map((t) => `\\copy ${t.name} FROM '${path.join(dir, `${t.name}.csv`)}' WITH (FORMAT csv)`),
      ].join("\n"),
    );
    const ref = await measure("psql", ["-q", PG_URL, "-f", script]);
    const refRate = records / ref.seconds;
    figures.push(["psql \\copy (PostgreSQL)", records, ref.seconds, refRate, 1, ref.peakRssMb]);
    await dropSchema("bench_copy");

    // (a) PostgreSQL, at N and at N/10 (memory flat in input size).
    for (const n of [rows, Math.max(1000, Math.floor(rows / 10))]) {
      await freshSchema("bench_ingest");
      const m = await measure(process.execPath, [...self, "pg", String(n), "bench_ingest", String(batch)]);
      const s = JSON.parse(m.stdout.trim().split("\n").at(-1)!) as IngestSummary;
      if (s.read !== s.loaded + s.rejected) throw new Error(`unbalanced summary: ${m.stdout}`);
      const label =
        n === rows ? "hotels ingest (PostgreSQL)" : `  same at N/10 (${n.toLocaleString("en")} bookings)`;
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

    report(
      `ingest: ${rows.toLocaleString("en")} generated bookings (+ hotels, customers, reviews); wall time incl. process start`,
      figures,
    );
    console.log("\ntarget: hotels ingest (PostgreSQL) ≥ 0.50 of \\copy; peak RSS about equal at N and N/10");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
