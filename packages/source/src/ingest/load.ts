import { createHash } from "node:crypto";
import {
  type Column,
  copyTextLine,
  ingestRejects,
  type Problem,
  quoteIdent,
  sourceTables,
  type TableDef,
} from "@hotels/schema";
import type { SqlSource } from "../port.ts";

/** Tables ingestion writes, parents before children (the order batches are merged in). */
export const INGEST_TABLES = sourceTables.filter((t) => t.name !== ingestRejects.name);
export type IngestTableName = (typeof INGEST_TABLES)[number]["name"];

export interface TableCounts {
  read: number;
  loaded: number;
  rejected: number;
  inserted: number;
  updated: number;
  unchanged: number;
}
export const zeroCounts = (): TableCounts => ({
  read: 0,
  loaded: 0,
  rejected: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
});

/** A quarantined record: where it came from and every rule it broke. */
export interface Rejected {
  readonly table: string;
  readonly line: number;
  readonly problems: readonly Problem[];
  /** The record as read (cells or JSON), stored as JSON. */
  readonly record: unknown;
}

/** `reject_id`: a hash of source, line, field and rule, so quarantining the same input twice adds nothing.
 * The SQL twin in `fkRejects` computes the same hash. */
export function rejectId(source: string, line: number, field: string | null, rule: string): string {
  return createHash("md5")
    .update(`${source}\u001f${line}\u001f${field ?? ""}\u001f${rule}`)
    .digest("hex");
}

const LINE: Column = { name: "_line", type: { kind: "int64" }, nullable: false, description: "source line" };

function stageName(t: TableDef): string {
  return `_stage_${t.name}`;
}

async function* from<T>(xs: readonly T[]): AsyncGenerator<T> {
  yield* xs;
}

/** Rows of `stage` whose foreign key names no parent: quarantined with the rule, then dropped from the
 * stage so the merge can't fail on them. Returns how many records were dropped. */
async function fkRejects(tx: SqlSource, t: TableDef, source: string, now: Date): Promise<number> {
  let dropped = 0;
  const stage = quoteIdent(stageName(t));
  for (const fk of t.foreignKeys ?? []) {
    // Single-column keys only (all the source schema has).
    const col = quoteIdent(fk.columns[0]!);
    const parent = quoteIdent(fk.references.table);
    const pcol = quoteIdent(fk.references.columns[0]!);
    const rule = `unknown ${fk.columns[0]}: no ${fk.references.table} row with ${fk.references.columns[0]} = this value`;
    const orphan = `s.${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${parent} p WHERE p.${pcol} = s.${col})`;
    // One statement: orphans leave the stage and land in quarantine.
    const [r] = await tx.query<{ n: number | string }>(
      `WITH o AS (DELETE FROM ${stage} s WHERE ${orphan} RETURNING s.*),
            q AS (INSERT INTO ${quoteIdent(ingestRejects.name)} (reject_id, target_table, source, line, field, value, rule, record, rejected_at)
                  SELECT md5($1 || chr(31) || o._line::text || chr(31) || $2 || chr(31) || $3), $4, $1, o._line, $2, o.${col}::text, $3,
                         (to_jsonb(o) - '_line')::text, $5
                  FROM o ON CONFLICT (reject_id) DO NOTHING)
       SELECT count(*) AS n FROM o`,
      [source, fk.columns[0]!, rule, t.name, now],
    );
    dropped += Number(r?.n ?? 0);
  }
  return dropped;
}

/** Merges the stage into its table: new keys inserted, changed rows updated (their `updated_at` moved to
 * at least now, so incremental extraction past an earlier watermark sees them), identical rows untouched. */
async function merge(tx: SqlSource, t: TableDef): Promise<{ inserted: number; updated: number }> {
  const cols = t.columns.map((c) => quoteIdent(c.name));
  const version = t.versionColumn;
  const compared = t.columns.filter((c) => c.name !== version && !t.primaryKey.includes(c.name));
  const table = quoteIdent(t.name);
  const set = t.columns
    .filter((c) => !t.primaryKey.includes(c.name))
    .map((c) =>
      c.name === version
        ? `${quoteIdent(c.name)} = GREATEST(EXCLUDED.${quoteIdent(c.name)}, now())`
        : `${quoteIdent(c.name)} = EXCLUDED.${quoteIdent(c.name)}`,
    );
  const changed = `(${compared.map((c) => `${table}.${quoteIdent(c.name)}`).join(", ")}) IS DISTINCT FROM (${compared.map((c) => `EXCLUDED.${quoteIdent(c.name)}`).join(", ")})`;
  const [r] = await tx.query<{ inserted: string | number; updated: string | number }>(
    `WITH up AS (
       INSERT INTO ${table} (${cols.join(", ")}) SELECT ${cols.join(", ")} FROM ${quoteIdent(stageName(t))}
       ON CONFLICT (${t.primaryKey.map(quoteIdent).join(", ")}) DO UPDATE SET ${set.join(", ")} WHERE ${changed}
       RETURNING (xmax = 0) AS inserted
     ) SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up`,
  );
  return { inserted: Number(r?.inserted ?? 0), updated: Number(r?.updated ?? 0) };
}

/** One table's part of a batch: COPY lines, their source lines, their primary keys. */
export interface BatchRows {
  readonly lines: string[];
  readonly lineNos: number[];
  readonly keys: Set<string>;
}

/** COPY lines in chunks of 1,000 (`copyIn` takes newline-joined items): one await per chunk, not per line. */
async function* chunked(lines: readonly string[], suffix?: readonly number[]): AsyncGenerator<string> {
  for (let i = 0; i < lines.length; i += 1000) {
    const end = Math.min(lines.length, i + 1000);
    if (!suffix) yield lines.slice(i, end).join("\n");
    else {
      let out = "";
      for (let k = i; k < end; k++) out += `${k > i ? "\n" : ""}${lines[k]}\t${suffix[k]}`;
      yield out;
    }
  }
}

/** Whether no row exists yet in the key range of the batch (integer single-column keys only; else
 * "maybe"). One index range probe: a key array with `= ANY` could scan the whole table per batch. A row in
 * the range that is not one of the batch's keys only sends the batch down the staged path. */
async function allNew(tx: SqlSource, t: TableDef, rows: BatchRows): Promise<boolean> {
  const pk = t.columns.find((c) => c.name === t.primaryKey[0]);
  if (t.primaryKey.length !== 1 || !pk || (pk.type.kind !== "int32" && pk.type.kind !== "int64"))
    return false;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const k of rows.keys) {
    const n = Number(k);
    if (n < lo) lo = n;
    if (n > hi) hi = n;
  }
  const id = quoteIdent(pk.name);
  const found = await tx.query(
    `SELECT 1 FROM ${quoteIdent(t.name)} WHERE ${id} >= $1 AND ${id} <= $2 LIMIT 1`,
    [lo, hi],
  );
  return found.length === 0;
}

/** COPY lines whose version column (`updated_at`) is raised to at least `nowIso`. Incremental extraction
 * reads `updated_at > watermark`; a row written now with its record's older timestamp (the data set's
 * 2015–2017 dates, a late file) would fall below a watermark already passed and never be extracted. So
 * `updated_at` means "last written to the source database", as a change-tracking column must. ISO-8601 UTC
 * texts (what the codecs write) compare correctly as strings. */
export function versionAtLeast(t: TableDef, lines: readonly string[], nowIso: string): string[] {
  const at = t.versionColumn ? t.columns.findIndex((c) => c.name === t.versionColumn) : -1;
  if (at < 0) return [...lines];
  const last = at === t.columns.length - 1;
  return lines.map((line) => {
    if (last) {
      const cut = line.lastIndexOf("\t") + 1;
      return line.slice(cut) < nowIso ? line.slice(0, cut) + nowIso : line;
    }
    const cells = line.split("\t");
    if ((cells[at] ?? "") < nowIso) cells[at] = nowIso;
    return cells.join("\t");
  });
}

/** One batch: COPY lines per table (with their source lines) and rejects, written in one transaction. */
export interface Batch {
  readonly rows: Map<TableDef, BatchRows>;
  readonly rejects: Rejected[];
}

export function emptyBatch(): Batch {
  return { rows: new Map(), rejects: [] };
}

/** Writes a batch in one transaction: rejects quarantined, then each table (parents first) copied into a
 * temporary stage, its orphans quarantined, and merged. Returns per-table counts of the batch. */
export async function writeBatch(
  source: SqlSource,
  batch: Batch,
  sourceName: string,
): Promise<Map<string, TableCounts>> {
  const now = new Date();
  return source.transaction(async (tx) => {
    const counts = new Map<string, TableCounts>();
    const get = (name: string) => {
      let c = counts.get(name);
      if (!c) {
        c = zeroCounts();
        counts.set(name, c);
      }
      return c;
    };
    if (batch.rejects.length) {
      const rejectLines: string[] = [];
      const seen = new Set<string>();
      for (const r of batch.rejects) {
        for (const p of r.problems) {
          const id = rejectId(sourceName, r.line, p.field, p.rule);
          if (seen.has(id)) continue;
          seen.add(id);
          rejectLines.push(
            copyTextLine(ingestRejects.columns, {
              reject_id: id,
              target_table: r.table,
              source: sourceName,
              line: r.line,
              field: p.field,
              value:
                p.value === null || p.value === undefined
                  ? null
                  : typeof p.value === "string"
                    ? p.value
                    : JSON.stringify(p.value),
              rule: p.rule,
              record: JSON.stringify(r.record),
              rejected_at: now,
            }),
          );
        }
      }
      await tx.execute(
        `CREATE TEMP TABLE _stage_rejects (LIKE ${quoteIdent(ingestRejects.name)}) ON COMMIT DROP`,
      );
      await tx.copyIn("_stage_rejects", ingestRejects.columns, from(rejectLines));
      await tx.execute(
        `INSERT INTO ${quoteIdent(ingestRejects.name)} SELECT * FROM _stage_rejects ON CONFLICT (reject_id) DO NOTHING`,
      );
    }
    // The database's clock, once per batch: every row this batch writes gets updated_at ≥ it (see below).
    const [clock] = await tx.query<{ now: Date | string }>("SELECT now() AS now");
    const nowIso = new Date(clock?.now ?? Date.now()).toISOString();
    for (const t of INGEST_TABLES as readonly TableDef[]) {
      const batchRows = batch.rows.get(t);
      if (!batchRows || batchRows.lines.length === 0) continue;
      const rows = { ...batchRows, lines: versionAtLeast(t, batchRows.lines, nowIso) };
      const c = get(t.name);
      // Fast path (a first load): no key exists yet, so COPY straight into the table — one pass, as
      // \copy does. An orphan makes the COPY fail on its foreign key: then the savepoint is rolled back
      // and the staged path quarantines it.
      if (await allNew(tx, t, rows)) {
        const direct = await tx
          .transaction(async (sp) => sp.copyIn(t.name, t.columns, chunked(rows.lines)))
          .catch((e: unknown) => {
            if (/foreign key/i.test(String((e as Error).message))) return null;
            throw e;
          });
        if (direct !== null) {
          c.loaded += rows.lines.length;
          c.inserted += rows.lines.length;
          continue;
        }
      }
      const stage = quoteIdent(stageName(t));
      await tx.execute(
        `CREATE TEMP TABLE ${stage} (LIKE ${quoteIdent(t.name)}, _line bigint) ON COMMIT DROP`,
      );
      await tx.copyIn(stageName(t), [...t.columns, LINE], chunked(rows.lines, rows.lineNos));
      const orphans = t.foreignKeys?.length ? await fkRejects(tx, t, sourceName, now) : 0;
      const m = await merge(tx, t);
      c.rejected += orphans;
      c.loaded += rows.lines.length - orphans;
      c.inserted += m.inserted;
      c.updated += m.updated;
      c.unchanged += rows.lines.length - orphans - m.inserted - m.updated;
    }
    return counts;
  });
}
