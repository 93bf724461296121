import type { EnvironmentConfig } from "./config/environments.ts";

/** `<prefix>-<env>-<parts…>`: the name of a resource of an environment (globally unique where it must be,
 * because each environment is its own account and the prefix is yours). */
export function resourceName(env: Pick<EnvironmentConfig, "prefix" | "name">, ...parts: string[]): string {
  return [env.prefix, env.name, ...parts].join("-");
}

/** A Terraform/IAM policy document as a JSON string (cdktf tokens inside strings resolve to references). */
export function policyDocument(statements: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
