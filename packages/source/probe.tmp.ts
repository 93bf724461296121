import { openPg, migrate, ingestGenerated } from "./src/index.ts";
const n = Number(process.argv[2] ?? 100000);
const db = await openPg("postgres://postgres@127.0.0.1:5432/test", { schema: "probe_p" });
await migrate(db);
const s = await ingestGenerated(db, { bookings: n, seed: 7 }, { batchRows: Number(process.argv[3] ?? 10000) });
console.log(JSON.stringify({ ...s, byTable: undefined }));
await db.execute("drop schema probe_p cascade");
await db.close();
