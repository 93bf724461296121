import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.ts";
import { cliContext } from "./context.ts";
import { UserError } from "./output.ts";

/** Builds the `hotels` program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command("hotels")
    .description(
      "The Hotels.com data pipeline: source database → ETL → data lake → catalog → SQL → ML, locally on\n" +
        "embedded defaults (PGlite, a lake folder, DuckDB, a TypeScript GBDT) or on AWS.",
    )
    .option("--runtime <runtime>", "local (default) or aws")
    .option("--home <dir>", "where the local runtime keeps its data (default ./.hotels, env HOTELS_HOME)")
    .option("--config <file>", "configuration file (default ./hotels.config.json when present)")
    .option("--verbose", "print stack traces and debug detail")
    .showHelpAfterError()
    .exitOverride();
  const ctx = cliContext(program);
  // Resolve the configuration before any command runs, so a bad value fails fast with its origin.
  program.hook("preAction", () => void ctx.config());
  for (const register of commands) register(program, ctx);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: "user" });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    const verbose = program.opts<{ verbose?: boolean }>().verbose;
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`hotels: ${message.split("\n")[0]}\n`);
    if (verbose && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return e instanceof UserError ? e.exitCode : 1;
  }
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (isEntry || process.env.HOTELS_CLI_MAIN === "1" || process.argv[1]?.endsWith("hotels.js")) {
  process.exitCode = await main(process.argv.slice(2));
}
