/** `pnpm infra diff [--base REF] [--head REF] [--format text|markdown|json] [--out FILE]`: the
 * resource-level difference of the synthesized Terraform between two git refs — added, removed and
 * changed resources with the attributes that changed — without cloud credentials. The head defaults to
 * the working tree; each ref is synthesized from a temporary `git worktree`. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command } from "commander";
import { buildApp } from "../app.ts";
import { REPO_ROOT } from "../inputs.ts";
import { renderMarkdown, renderText, summaryLine } from "./render.ts";
import { diffOutdirs } from "./resource-diff.ts";
import { synthRef } from "./synth-ref.ts";

const defaultBase = () => {
  for (const ref of ["origin/main", "main"]) {
    try {
      execFileSync("git", ["rev-parse", "--verify", "--quiet", ref], { cwd: REPO_ROOT, stdio: "ignore" });
      return ref;
    } catch {
      // try the next
    }
  }
  return "HEAD";
};

const opts = new Command("diff")
  .description("resource-level diff of the synthesized Terraform between two git refs")
  .option("--base <ref>", "base ref (default origin/main, else main, else HEAD)")
  .option("--head <ref>", "head ref (default: the working tree)")
  .option("--format <format>", "text | markdown | json", "text")
  .option("--out <file>", "also write the report to this file")
  .parse()
  .opts<{ base?: string; head?: string; format: string; out?: string }>();
if (!["text", "markdown", "json"].includes(opts.format)) {
  console.error(`--format must be text, markdown or json, not ${opts.format}`);
  process.exit(2);
}

const tmp = mkdtempSync(path.join(tmpdir(), "hotels-infra-diff-out-"));
try {
  const baseRef = opts.base ?? defaultBase();
  const base = synthRef(baseRef, path.join(tmp, "base"));
  let headLabel = "working tree";
  let headDir = path.join(tmp, "head");
  if (opts.head) {
    const head = synthRef(opts.head, headDir);
    headLabel = `${opts.head} (${head.commit.slice(0, 8)})`;
    headDir = head.outdir ?? headDir;
  } else buildApp({ outdir: headDir }).app.synth();
  const refs = { base: `${baseRef} (${base.commit.slice(0, 8)})`, head: headLabel };
  const diffs = diffOutdirs(base.outdir, headDir);
  const report =
    opts.format === "json"
      ? JSON.stringify({ ...refs, stacks: diffs }, null, 2)
      : opts.format === "markdown"
        ? renderMarkdown(diffs, refs)
        : renderText(diffs, refs);
  console.log(report);
  if (opts.out) writeFileSync(opts.out, `${report}\n`);
  if (opts.format !== "json") for (const d of diffs) console.error(summaryLine(d));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
