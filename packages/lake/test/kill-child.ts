// Child process of kill.test.ts: a writer that the test kills with SIGKILL at a marked point.
import { LocalObjectStore } from "../src/index.ts";

const [root, mode] = process.argv.slice(2) as [string, "mid-put" | "before-commit"];
const store = new LocalObjectStore(root);

async function* endless(): AsyncGenerator<Uint8Array> {
  for (let i = 0; ; i++) {
    yield new Uint8Array(64 * 1024).fill(i % 251);
    if (i === 4) process.stdout.write("writing\n");
    await new Promise((r) => setTimeout(r, 5));
  }
}

if (mode === "mid-put") {
  await store.put("curated", "t/run2-00000.parquet", endless());
} else {
  await store.put("curated", "t/run2-00000.parquet", "orphan data");
  process.stdout.write("files-written\n");
  await new Promise((r) => setTimeout(r, 60_000)); // killed here, before its commit
}
