/** `pnpm --filter @hotels/etl build`: generates the Glue script from the job definitions into
 * `generated/glue_etl.py`; with `--golden` also refreshes the committed copy `glue/glue_etl.py`. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { GENERATED_GLUE_SCRIPT_PATH, GLUE_SCRIPT_PATH, generateGlueScript } from "../src/glue/generate.ts";

const script = generateGlueScript();
for (const file of [
  GENERATED_GLUE_SCRIPT_PATH,
  ...(process.argv.includes("--golden") ? [GLUE_SCRIPT_PATH] : []),
]) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, script);
  console.log(`wrote ${path.relative(process.cwd(), file)} (${script.length} bytes)`);
}
