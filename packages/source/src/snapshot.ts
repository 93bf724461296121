import type { SqlSource } from "./port.ts";

/** `withSnapshot` for an adapter with one session (PGlite, the Data API): a read-only repeatable-read
 * transaction, passed as the only session. */
export function oneSessionSnapshot(self: SqlSource): SqlSource["withSnapshot"] {
  return async (n, fn) => {
    if (n > 1) throw new Error(`withSnapshot: ${n} sessions, but ${self.kind} has one`);
    return self.transaction(async (tx) => {
      await tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      return fn([tx]);
    });
  };
}
