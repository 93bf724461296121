import { UserError } from "../output.ts";
import type { Runtime } from "../runtime.ts";

/** The ports `train` and `predict` use: the lake, its catalog and the query engine. */
export async function mlPorts(rt: Runtime) {
  return {
    store: rt.store(),
    layout: rt.layout(),
    catalog: rt.catalog(),
    queryEngine: await rt.queryEngine(),
  };
}

/** `--threshold`: a probability strictly between 0 and 1, or undefined when not given. */
export function parseThreshold(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = Number(text);
  if (!(t > 0 && t < 1)) throw new UserError(`--threshold must be in (0, 1), got ${text}`);
  return t;
}
