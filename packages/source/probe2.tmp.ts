import { openPg, migrate, ingestGenerated } from "./src/index.ts";
const db = await openPg("postgres://postgres@127.0.0.1:5432/test", { schema: "probe_ref" });
await migrate(db);
await ingestGenerated(db, { bookings: 100000, seed: 7 }, { batchRows: 50000 });
await db.close();
