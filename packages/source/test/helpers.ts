import { randomBytes } from "node:crypto";
import pg from "pg";
import { openPg } from "../src/pg.ts";
import { openPglite } from "../src/pglite.ts";
import type { SqlSource } from "../src/port.ts";

export const PG_URL = process.env.PG_TEST_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Whether the test PostgreSQL answers; when it doesn't (and CI is unset) the caller skips with a reason. */
export async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

const reachable = await pgReachable();
export const skipPg = !reachable && !process.env.CI;
if (skipPg) console.warn(`[source tests] PostgreSQL at ${PG_URL} is unreachable: pg tests skipped`);

/** A PostgreSQL source in a fresh schema of its own (dropped by `drop`), so parallel runs don't collide. */
export async function openPgTest(): Promise<SqlSource & { drop(): Promise<void> }> {
  const schema = `src_test_${randomBytes(4).toString("hex")}`;
  const s = await openPg(PG_URL, { schema });
  return Object.assign(s, {
    async drop() {
      await s.execute(`DROP SCHEMA ${schema} CASCADE`);
      await s.close();
    },
  });
}

export interface Adapter {
  readonly name: string;
  readonly skip: boolean;
  open(): Promise<SqlSource & { drop(): Promise<void> }>;
}

export const adapters: Adapter[] = [
  {
    name: "pglite",
    skip: false,
    async open() {
      const s = await openPglite();
      return Object.assign(s, { drop: () => s.close() });
    },
  },
  { name: "pg", skip: skipPg, open: openPgTest },
];
