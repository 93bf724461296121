/** `pnpm bench <stage>`: runs scripts/bench/<stage>.ts, which prints its figures beside the reference named
 * in the stage's issue, measured in the same run (a ratio: these machines are noisy). */
import { readdirSync } from "node:fs";
import path from "node:path";

const here = import.meta.dirname;
const stages = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !["main.ts", "measure.ts"].includes(f))
  .map((f) => f.replace(/\.ts$/, ""));
const [stage, ...args] = process.argv.slice(2);
if (!stage || !stages.includes(stage)) {
  console.error(`usage: pnpm bench <${stages.join("|")}> [options]`);
  process.exit(2);
}
const mod = (await import(path.join(here, `${stage}.ts`))) as { run(args: string[]): Promise<void> };
await mod.run(args);
