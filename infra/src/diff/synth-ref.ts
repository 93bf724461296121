import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../inputs.ts";

export interface SynthRefResult {
  /** The resolved commit. */
  readonly commit: string;
  /** Undefined when the ref has no infra app (nothing to synthesize: every stack counts as added). */
  readonly outdir?: string;
}

const git = (args: string[], cwd = REPO_ROOT) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

/** Where tsx's CLI is (infra's devDependency), to run the ref's `src/main.ts` the way `pnpm synth` does. */
function tsxCli(): string {
  return createRequire(import.meta.url).resolve("tsx/cli");
}

/** Mirrors the checkout's `node_modules` into the worktree: third-party packages link to the checkout's
 * installed copies (the lockfile rarely changes with infra), workspace packages (`@hotels/*`) link to the
 * worktree's own sources, so the ref's schema, SQL and infra code are what gets synthesized. */
function linkNodeModules(worktree: string): void {
  const packageDirs = [".", "infra", "scripts"];
  for (const group of ["apps", "packages"]) {
    const dir = path.join(REPO_ROOT, group);
    if (existsSync(dir)) for (const p of readdirSync(dir)) packageDirs.push(path.join(group, p));
  }
  for (const rel of packageDirs) {
    const from = path.join(REPO_ROOT, rel, "node_modules");
    const to = path.join(worktree, rel, "node_modules");
    if (!existsSync(from) || !existsSync(path.join(worktree, rel)) || existsSync(to)) continue;
    mirror(from, to, worktree);
  }
}

function mirror(from: string, to: string, worktree: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = path.join(from, name);
    const dst = path.join(to, name);
    if (name.startsWith("@") && lstatSync(src).isDirectory() && !lstatSync(src).isSymbolicLink()) {
      mirror(src, dst, worktree);
      continue;
    }
    let real: string;
    try {
      real = realpathSync(src);
    } catch {
      continue; // dangling link
    }
    const inside = path.relative(REPO_ROOT, real);
    const workspace = !inside.startsWith("..") && !inside.split(path.sep).includes("node_modules");
    const target = workspace ? path.join(worktree, inside) : real;
    if (existsSync(target)) symlinkSync(target, dst);
  }
}

/** Synthesizes every stack of a git ref into `outdir`, from a temporary `git worktree` (the working tree is
 * not touched). Lambda bundles are build outputs, not in git: the checkout's `apps/lambdas/dist` is used
 * for both sides, so bundle changes do not show (their source diff does). */
export function synthRef(ref: string, outdir: string): SynthRefResult {
  const commit = git(["rev-parse", "--verify", `${ref}^{commit}`]);
  const tmp = mkdtempSync(path.join(tmpdir(), "hotels-infra-diff-"));
  const worktree = path.join(tmp, "wt");
  git(["worktree", "add", "--detach", "--quiet", worktree, commit]);
  try {
    if (!existsSync(path.join(worktree, "infra/src/main.ts"))) return { commit };
    linkNodeModules(worktree);
    const dist = path.join(REPO_ROOT, "apps/lambdas/dist");
    if (existsSync(dist) && existsSync(path.join(worktree, "apps/lambdas")))
      symlinkSync(dist, path.join(worktree, "apps/lambdas/dist"));
    execFileSync(process.execPath, [tsxCli(), "src/main.ts"], {
      cwd: path.join(worktree, "infra"),
      env: { ...process.env, CDKTF_OUTDIR: outdir },
      stdio: ["ignore", "ignore", "pipe"],
    });
    return { commit, outdir };
  } finally {
    git(["worktree", "remove", "--force", worktree]);
    rmSync(tmp, { recursive: true, force: true });
  }
}
