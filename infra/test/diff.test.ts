import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderMarkdown, renderText } from "../src/diff/render.ts";
import { diffDocuments, diffOutdirs, type TfDocument } from "../src/diff/resource-diff.ts";
import { synthRef } from "../src/diff/synth-ref.ts";
import { REPO_ROOT } from "../src/inputs.ts";

const meta = (p: string) => ({ "//": { metadata: { path: `dev/${p}` } } });
const base: TfDocument = {
  resource: {
    aws_s3_bucket: {
      raw: { ...meta("lake/raw"), bucket: "hotels-dev-raw" },
      old: { ...meta("lake/old"), bucket: "o" },
    },
    aws_iam_role_policy: {
      p: {
        ...meta("fns/policy"),
        role: "r",
        policy: JSON.stringify({
          Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["a"] }],
        }),
      },
    },
    aws_kms_key: { k: { ...meta("keys/lake"), enable_key_rotation: true } },
  },
};
const head: TfDocument = {
  resource: {
    aws_s3_bucket: {
      raw: { ...meta("lake/raw"), bucket: "hotels-dev-raw" },
      new: { ...meta("lake/new"), bucket: "n" },
    },
    aws_iam_role_policy: {
      p: {
        ...meta("fns/policy"),
        role: "r",
        policy: JSON.stringify({
          Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["a"] }],
        }),
      },
    },
    aws_kms_key: { k: { ...meta("keys/lake"), enable_key_rotation: true } },
  },
};

describe("diffDocuments", () => {
  const changes = diffDocuments(base, head);

  it("lists removed, changed and added resources by Terraform address, with construct paths", () => {
    expect(changes.map((c) => [c.kind, c.address, c.path])).toEqual([
      ["removed", "aws_s3_bucket.old", "lake/old"],
      ["changed", "aws_iam_role_policy.p", "fns/policy"],
      ["added", "aws_s3_bucket.new", "lake/new"],
    ]);
  });

  it("names the changed attribute inside a JSON policy document", () => {
    expect(changes[1]!.attributes).toEqual([
      { path: "policy{}.Statement[0].Action[1]", after: "s3:PutObject" },
    ]);
  });

  it("finds nothing between identical documents and ignores metadata", () => {
    const moved = structuredClone(head);
    (moved.resource!.aws_kms_key!.k as Record<string, unknown>)["//"] = {
      metadata: { path: "dev/elsewhere" },
    };
    expect(diffDocuments(head, moved)).toEqual([]);
  });

  it("renders text and a markdown PR comment", () => {
    const diffs = [{ stack: "dev", status: "changed" as const, changes }];
    const text = renderText(diffs, { base: "main", head: "pr" });
    expect(text).toContain("dev: +1 -1 ~1");
    expect(text).toContain('policy{}.Statement[0].Action[1]: (absent) → "s3:PutObject"');
    const md = renderMarkdown(diffs, { base: "main", head: "pr" });
    expect(md).toContain("| dev | 1 | 1 | 1 |");
    expect(md).toContain("- aws_s3_bucket.old  (lake/old)");
  });
});

describe("synthRef", () => {
  const tmp = mkdtempSync(path.join(tmpdir(), "infra-diff-test-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const worktrees = () => execFileSync("git", ["worktree", "list"], { cwd: REPO_ROOT, encoding: "utf8" });

  it("synthesizes every stack of a commit from a temporary worktree, and removes the worktree", () => {
    const before = worktrees();
    const r = synthRef("HEAD", path.join(tmp, "head"));
    expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
    const diffs = diffOutdirs(r.outdir, r.outdir);
    expect(diffs.map((d) => d.stack)).toEqual(expect.arrayContaining(["dev", "prod", "staging"]));
    expect(diffs.every((d) => d.status === "unchanged")).toBe(true);
    expect(worktrees()).toBe(before);
  });

  it("treats a commit without the infra app as having no stacks (everything added)", () => {
    // A dangling commit of the empty tree (no ref points to it): a ref from before infra existed, even in a
    // shallow clone.
    const git = (args: string[]) =>
      execFileSync("git", args, {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@t",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@t",
        },
      }).trim();
    const first = git(["commit-tree", git(["hash-object", "-t", "tree", "/dev/null"]), "-m", "empty"]);
    const r = synthRef(first, path.join(tmp, "first"));
    expect(r.outdir).toBeUndefined();
    expect(diffOutdirs(undefined, undefined)).toEqual([]);
  });
});
