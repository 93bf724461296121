import { randomBytes } from "node:crypto";
import { openPg } from "@hotels/source";

export const PG_URL = process.env.PG_TEST_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Whether PostgreSQL answers; when it does not, tests skip with the reason printed (never under CI). */
export async function pgReachable(): Promise<boolean> {
  try {
    const s = await openPg(PG_URL, { maxConnections: 1 });
    await s.query("SELECT 1");
    await s.close();
    return true;
  } catch (e) {
    if (process.env.CI)
      throw new Error(`PostgreSQL at ${PG_URL} is unreachable under CI: ${(e as Error).message}`);
    console.warn(`skipping PostgreSQL tests: ${PG_URL} unreachable (${(e as Error).message})`);
    return false;
  }
}

/** A fresh schema name for one test. */
export const tempSchema = (what: string) => `etl_${what}_${randomBytes(4).toString("hex")}`;

export async function dropSchema(schema: string) {
  const s = await openPg(PG_URL, { maxConnections: 1 });
  await s.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await s.close();
}
