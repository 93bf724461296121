/** Child process of the kill test: runs the ETL from a PostgreSQL schema into a lake folder (options: a JSON
 * object of `LocalEtlOptions`), printing each job's start and end on stdout so the parent can SIGKILL it at
 * a chosen point. */
import { LocalObjectStore, localLayout } from "@hotels/lake";
import { openPg } from "@hotels/source";
import { runLocalEtl } from "../src/index.ts";

const [url, schema, lakeRoot, options = "{}"] = process.argv.slice(2) as [string, string, string, string?];
const source = await openPg(url, { schema });
const summary = await runLocalEtl(
  { source, store: new LocalObjectStore(lakeRoot), layout: localLayout(lakeRoot) },
  { ...JSON.parse(options), onProgress: (p) => process.stdout.write(`${p.phase} ${p.job}\n`) },
);
await source.close();
process.stdout.write(`summary ${JSON.stringify(summary.balance)}\n`);
