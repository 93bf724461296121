import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { RULES } from "./registry.ts";
import { StackView } from "./stack-view.ts";
import { SUPPRESSIONS } from "./suppressions.ts";
import type { Finding, PolicyRule, Suppression } from "./types.ts";

/** Minimum length of a suppression's reason: a sentence, not "ok". */
export const MIN_REASON_LENGTH = 30;

export interface StackReport {
  readonly stack: string;
  readonly resources: number;
  readonly rules: number;
  readonly findings: readonly Finding[];
  /** Findings a suppression waived, with its reason. */
  readonly suppressed: readonly (Finding & { readonly reason: string })[];
}

const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*")}$`);

/** Checks one synthesized stack against the rules; suppressions without a written reason are refused. */
export function checkStack(
  view: StackView,
  rules: readonly PolicyRule[] = RULES,
  suppressions: readonly Suppression[] = SUPPRESSIONS,
): StackReport {
  for (const s of suppressions) {
    if (!rules.some((r) => r.id === s.rule))
      throw new Error(`suppression of unknown rule ${s.rule} (${s.path})`);
    if (s.reason.trim().length < MIN_REASON_LENGTH)
      throw new Error(
        `suppression of ${s.rule} at ${s.path} needs a written reason (≥ ${MIN_REASON_LENGTH} chars)`,
      );
  }
  const findings: Finding[] = [];
  const suppressed: (Finding & { reason: string })[] = [];
  for (const rule of rules) {
    for (const [r, message] of rule.check(view)) {
      const f: Finding = { rule: rule.id, address: r.address, path: r.path, message };
      const s = suppressions.find((x) => x.rule === rule.id && glob(x.path).test(r.path));
      if (s) suppressed.push({ ...f, reason: s.reason });
      else findings.push(f);
    }
  }
  return { stack: view.name, resources: view.resources.length, rules: rules.length, findings, suppressed };
}

/** Reads every stack of a cdktf output directory (`<outdir>/stacks/<name>/cdk.tf.json`). */
export function readStacks(outdir: string): StackView[] {
  const dir = path.join(outdir, "stacks");
  return readdirSync(dir)
    .sort()
    .map(
      (name) => new StackView(name, JSON.parse(readFileSync(path.join(dir, name, "cdk.tf.json"), "utf8"))),
    );
}
