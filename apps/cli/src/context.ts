import type { Command } from "commander";
import { type Config, loadConfig } from "./config.ts";
import { createRuntime, type Runtime } from "./runtime.ts";

/** What every command gets: the resolved configuration and the runtime it composes, both lazy. */
export interface CliContext {
  config(): Config;
  runtime(): Runtime;
}

export function cliContext(program: Command): CliContext {
  let config: Config | undefined;
  let runtime: Runtime | undefined;
  const ctx: CliContext = {
    config() {
      if (!config) {
        const o = program.opts<{
          runtime?: "local" | "aws";
          home?: string;
          config?: string;
          verbose?: boolean;
        }>();
        config = loadConfig({
          file: o.config,
          flags: { runtime: o.runtime, home: o.home, verbose: o.verbose },
        });
      }
      return config;
    },
    runtime() {
      runtime ??= createRuntime(ctx.config());
      return runtime;
    },
  };
  return ctx;
}

/** A command module: adds its command(s) to the program. */
export type CommandModule = (program: Command, ctx: CliContext) => void;
