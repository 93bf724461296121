import type { Command } from "commander";
import { UserError } from "../output.ts";

/** Placeholder action for a command whose stage has not landed yet: says which issue brings it. */
export function pending(cmd: Command, issue: number): Command {
  return cmd.action(() => {
    throw new UserError(`\`hotels ${cmd.name()}\` is not available yet (issue #${issue})`, 2);
  });
}
