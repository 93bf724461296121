import type { Config } from "./config.ts";

/** The composition root: which adapter serves each port, chosen once from the configuration.
 * `local` = embedded adapters under `config.home`; `aws` = the AWS SDK adapters of `config.aws.env`.
 * Stage issues add their port here (each getter is lazy so a command opens only what it uses). */
export interface Runtime {
  readonly config: Config;
  /** Closes whatever was opened. */
  close(): Promise<void>;
}

export function createRuntime(config: Config): Runtime {
  const closers: (() => Promise<void>)[] = [];
  return {
    config,
    async close() {
      for (const c of closers.reverse()) await c();
    },
  };
}
