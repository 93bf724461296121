/** Child process of the kill test: runs the ETL from a PostgreSQL schema into a lake folder, printing each
 * job's start and end on stdout so the parent can SIGKILL it at a chosen point. */
import { LocalObjectStore, localLayout } from "@hotels/lake";
import { openPg } from "@hotels/source";
import { runLocalEtl } from "../src/index.ts";

const [url, schema, lakeRoot] = process.argv.slice(2) as [string, string, string];
const source = await openPg(url, { schema });
const summary = await runLocalEtl(
  { source, store: new LocalObjectStore(lakeRoot), layout: localLayout(lakeRoot) },
  { onProgress: (p) => process.stdout.write(`${p.phase} ${p.job}\n`) },
);
await source.close();
process.stdout.write(`summary ${JSON.stringify(summary.balance)}\n`);
