/* Seeds a local lake with curated.bookings built straight from the CSV (every row), for trying the ML
 * commands before the ETL stage exists: `tsx packages/ml/bench/seed-lake.ts <home>/lake`. */
import { curatedRows, lakeWithBookings } from "../test/lake-fixture.ts";

const root = process.argv[2];
if (!root) throw new Error("usage: seed-lake.ts <lake-root>");
const lake = await lakeWithBookings(root, curatedRows(1));
await lake.queryEngine.close();
console.log(`seeded curated.bookings in ${root}`);
