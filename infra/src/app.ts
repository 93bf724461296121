import { App } from "cdktf";
import { BootstrapStack } from "./bootstrap-stack.ts";
import { type EnvironmentConfig, environments } from "./config/environments.ts";
import type { FunctionSpec } from "./constructs/pipeline-functions.ts";
import { type PipelineInputs, readInputs } from "./inputs.ts";
import { PipelineStack } from "./stack.ts";

export interface BuildAppOptions {
  /** Output directory. Default `CDKTF_OUTDIR`, else `cdktf.out`. */
  readonly outdir?: string;
  /** Environments to synthesize. Default all three. */
  readonly environments?: readonly EnvironmentConfig[];
  /** Default `readInputs()`. */
  readonly inputs?: PipelineInputs;
  /** Zip of a function. Default: its built bundle under `apps/lambdas`. */
  readonly bundleOf?: (fn: FunctionSpec) => string | undefined;
}

/** The CDKTF app: one `PipelineStack` per environment, named after it (`cdktf deploy prod`), and one
 * `BootstrapStack` per environment (`bootstrap-<env>`: state bucket, GitHub OIDC roles), applied once
 * before the first deploy. `HOTELS_BOOTSTRAP_LOCAL_STATE=1` keeps the bootstrap stacks' state local for
 * that first apply (see infra/README.md). */
export function buildApp(options: BuildAppOptions = {}): {
  app: App;
  stacks: PipelineStack[];
  bootstraps: BootstrapStack[];
} {
  const app = new App({
    outdir: options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out",
    skipValidation: false,
  });
  const inputs = options.inputs ?? readInputs();
  const stacks = (options.environments ?? Object.values(environments)).map(
    (config) => new PipelineStack(app, config.name, { config, inputs, bundleOf: options.bundleOf }),
  );
  const bootstraps = (options.environments ?? Object.values(environments)).map(
    (config) =>
      new BootstrapStack(app, `bootstrap-${config.name}`, {
        config,
        localState: process.env.HOTELS_BOOTSTRAP_LOCAL_STATE === "1",
      }),
  );
  return { app, stacks, bootstraps };
}

/** Synth-time warnings: what an environment lacks because another package has not produced it yet. */
export function synthWarnings(stacks: readonly PipelineStack[]): string[] {
  const out: string[] = [];
  for (const s of stacks) {
    if (!s.glue.job) out.push(`${s.node.id}: no Glue script (packages/etl/glue/*.py): ETL job skipped`);
    for (const a of s.glue.missingArguments)
      out.push(`${s.node.id}: the Glue script reads ${a}, the job does not set it`);
    for (const name of s.functions.skipped)
      out.push(
        `${s.node.id}: function ${name} skipped: no bundle (run \`pnpm --filter @hotels/lambdas build\`)`,
      );
    for (const p of s.functions.unresolved)
      out.push(`${s.node.id}: permission dropped, its resource is absent: ${p}`);
  }
  return out;
}
