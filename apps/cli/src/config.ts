import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/** The one typed configuration. Precedence: flags > environment variables > config file > defaults. */
export const ConfigSchema = z.object({
  /** `local` (default): embedded adapters under `home`. `aws`: the AWS adapters of `aws.env`. */
  runtime: z.enum(["local", "aws"]).default("local"),
  /** Where the local runtime keeps everything (`rds/`, `lake/`). Default `./.hotels`. */
  home: z.string().default(".hotels"),
  /** When set, the local runtime's SQL source is this PostgreSQL (node-postgres) instead of PGlite. */
  databaseUrl: z.string().optional(),
  verbose: z.boolean().default(false),
  aws: z
    .object({
      region: z.string().default("eu-west-1"),
      /** Deployment environment whose resources the AWS runtime uses. */
      env: z.enum(["dev", "staging", "prod"]).default("dev"),
      /** Resource name prefix used by infra (`<prefix>-<env>-…`). */
      prefix: z.string().default("hotels"),
      dbResourceArn: z.string().optional(),
      dbSecretArn: z.string().optional(),
      dbName: z.string().default("hotels"),
      athenaWorkgroup: z.string().optional(),
    })
    .prefault({}),
});
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export const CONFIG_FILE = "hotels.config.json";

/** Environment variables the configuration reads, and the field each sets. */
export const ENV_VARS = {
  HOTELS_RUNTIME: "runtime",
  HOTELS_HOME: "home",
  DATABASE_URL: "databaseUrl",
  AWS_REGION: "aws.region",
  HOTELS_ENV: "aws.env",
  HOTELS_PREFIX: "aws.prefix",
  HOTELS_DB_RESOURCE_ARN: "aws.dbResourceArn",
  HOTELS_DB_SECRET_ARN: "aws.dbSecretArn",
  HOTELS_ATHENA_WORKGROUP: "aws.athenaWorkgroup",
} as const;

type Plain = { [k: string]: unknown };
function setPath(o: Plain, dotted: string, v: unknown) {
  const parts = dotted.split(".");
  let cur = o;
  for (const p of parts.slice(0, -1)) {
    cur[p] ??= {};
    cur = cur[p] as Plain;
  }
  cur[parts.at(-1)!] = v;
}
function merge(a: Plain, b: Plain): Plain {
  const out: Plain = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    out[k] = v && typeof v === "object" && !Array.isArray(v) ? merge((out[k] as Plain) ?? {}, v as Plain) : v;
  }
  return out;
}

export interface LoadOptions {
  readonly flags?: ConfigInput;
  readonly env?: NodeJS.ProcessEnv;
  /** Config file path; default `hotels.config.json` in `cwd` when it exists. */
  readonly file?: string;
  readonly cwd?: string;
}

/** Loads the configuration; a bad value is one clear error naming its origin. */
export function loadConfig(options: LoadOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = options.file ?? path.join(cwd, CONFIG_FILE);
  let fromFile: Plain = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, "utf8")) as Plain;
    } catch (e) {
      throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
    }
  } else if (options.file) {
    throw new Error(`${file}: config file not found`);
  }
  const fromEnv: Plain = {};
  for (const [name, field] of Object.entries(ENV_VARS)) if (env[name]) setPath(fromEnv, field, env[name]);
  const merged = merge(merge(fromFile, fromEnv), (options.flags ?? {}) as Plain);
  const r = ConfigSchema.safeParse(merged);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`configuration: ${i.path.join(".")}: ${i.message}`);
  }
  return { ...r.data, home: path.resolve(cwd, r.data.home) };
}
