/** `pnpm --filter @hotels/infra policy [--from DIR] [--env NAME…] [--json]`: synthesizes every environment
 * (or reads an existing cdktf output) and checks it against the policy rules. Exit 1 on any finding. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command } from "commander";
import { buildApp, synthWarnings } from "../app.ts";
import { checkStack, readStacks, type StackReport } from "./check.ts";
import { RULES } from "./registry.ts";

const program = new Command("policy")
  .description("check the synthesized Terraform of every environment against the policy rules")
  .option("--from <dir>", "check this cdktf output directory instead of synthesizing")
  .option("--env <name...>", "only these stacks")
  .option("--json", "print the reports as JSON")
  .option("--rules", "list the rules and exit")
  .parse();
const opts = program.opts<{ from?: string; env?: string[]; json?: boolean; rules?: boolean }>();

if (opts.rules) {
  for (const r of RULES) console.log(`${r.id.padEnd(30)} ${r.severity.padEnd(6)} ${r.title}  [${r.source}]`);
  process.exit(0);
}

let outdir = opts.from;
let temp: string | undefined;
if (!outdir) {
  temp = outdir = mkdtempSync(path.join(tmpdir(), "hotels-policy-"));
  const { app, stacks } = buildApp({ outdir });
  app.synth();
  for (const w of synthWarnings(stacks)) console.error(`warning: ${w}`);
}
try {
  const reports: StackReport[] = readStacks(outdir)
    .filter((v) => !opts.env || opts.env.includes(v.name))
    .map((v) => checkStack(v));
  const failed = reports.reduce((n, r) => n + r.findings.length, 0);
  if (opts.json) console.log(JSON.stringify(reports, null, 2));
  else {
    for (const r of reports) {
      console.log(
        `${r.stack}: ${r.resources} resources, ${r.rules} rules, ${r.findings.length} findings, ${r.suppressed.length} suppressed`,
      );
      for (const f of r.findings)
        console.log(`  FAIL ${f.rule}  ${f.path}  (${f.address})\n       ${f.message}`);
      for (const s of r.suppressed) console.log(`  waived ${s.rule}  ${s.path}: ${s.reason}`);
    }
    console.log(failed ? `\n${failed} policy findings` : "\nall policy rules pass");
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  if (temp) rmSync(temp, { recursive: true, force: true });
}
