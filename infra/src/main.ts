/** `cdktf synth` / `pnpm --filter @hotels/infra synth`: synthesizes every environment's stack into
 * `CDKTF_OUTDIR` (default `cdktf.out`). */
import { buildApp, synthWarnings } from "./app.ts";

const { app, stacks } = buildApp();
app.synth();
for (const w of synthWarnings(stacks)) console.warn(`warning: ${w}`);
