import {
  postgresDdl,
  postgresType,
  quoteIdent,
  schemaHash,
  sourceTables,
  type TableDef,
} from "@hotels/schema";
import type { SqlSource } from "./port.ts";

/** One schema change: statements derived from `@hotels/schema`, never written by hand. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly table: string;
  /** Schema hash of the table this migration brings the database to. */
  readonly checksum: string;
  readonly statements: readonly string[];
}

export interface MigrateResult {
  /** Names of the migrations this call applied (empty when the database was current). */
  readonly applied: string[];
  /** Highest applied version. */
  readonly version: number;
}

interface Recorded {
  version: number;
  name: string;
  table_name: string;
  checksum: string;
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL UNIQUE,
  table_name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** Additive change for a table whose schema grew since it was created: every column `ADD COLUMN IF NOT
 * EXISTS` (schema changes are backwards-compatible additions; a new NOT NULL column fails loudly on a
 * table that has rows). */
function alterStatements(t: TableDef): string[] {
  return t.columns.map(
    (c) =>
      `ALTER TABLE ${quoteIdent(t.name)} ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${postgresType(c.type)}${c.nullable ? "" : " NOT NULL"}`,
  );
}

/** The migrations that bring a database recorded as `done` to the current schema of `tables`: version n
 * creates the n-th table; a table whose schema hash changed afterwards gets a numbered alter step. */
export function planMigrations(tables: readonly TableDef[], done: readonly Recorded[]): Migration[] {
  const plan: Migration[] = [];
  let next = Math.max(tables.length, ...done.map((d) => d.version)) + 1;
  tables.forEach((t, i) => {
    const checksum = schemaHash(t);
    const create = done.find((d) => d.name === `create_${t.name}`);
    if (!create) {
      const version = done.some((d) => d.version === i + 1) ? next++ : i + 1;
      plan.push({ version, name: `create_${t.name}`, table: t.name, checksum, statements: postgresDdl(t) });
      return;
    }
    const latest = done.filter((d) => d.table_name === t.name).sort((a, b) => b.version - a.version)[0]!;
    if (latest.checksum !== checksum) {
      plan.push({
        version: next++,
        name: `alter_${t.name}_${checksum}`,
        table: t.name,
        checksum,
        statements: alterStatements(t),
      });
    }
  });
  return plan;
}

/** Applies the source schema's pending migrations in one transaction, recorded in `schema_migrations`.
 * Idempotent: a second run applies nothing. Concurrent runs serialise on an advisory lock. */
export async function migrate(
  source: SqlSource,
  tables: readonly TableDef[] = sourceTables,
): Promise<MigrateResult> {
  return source.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('hotels.schema_migrations'))");
    await tx.execute(LEDGER);
    const done = await tx.query<Recorded>(
      "SELECT version, name, table_name, checksum FROM schema_migrations ORDER BY version",
    );
    const plan = planMigrations(tables, done);
    for (const m of plan) {
      for (const s of m.statements) await tx.execute(s);
      await tx.execute(
        "INSERT INTO schema_migrations (version, name, table_name, checksum) VALUES ($1, $2, $3, $4)",
        [m.version, m.name, m.table, m.checksum],
      );
    }
    const [v] = await tx.query<{ version: number | null }>(
      "SELECT max(version) AS version FROM schema_migrations",
    );
    return { applied: plan.map((m) => m.name), version: Number(v?.version ?? 0) };
  });
}
