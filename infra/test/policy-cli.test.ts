import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const cli = path.join(import.meta.dirname, "../src/policy/cli.ts");
const tmp = mkdtempSync(path.join(tmpdir(), "policy-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A cdktf output directory holding one stack. */
function outdir(name: string, resource: Record<string, unknown>): string {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, "stacks", "dev"), { recursive: true });
  writeFileSync(path.join(dir, "stacks", "dev", "cdk.tf.json"), JSON.stringify({ resource }));
  return dir;
}
const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", cli, ...args], {
    encoding: "utf8",
    cwd: path.join(import.meta.dirname, ".."),
  });

describe("policy CLI", () => {
  it("exits 1 and names rule, resource and problem when a stack breaks a rule", () => {
    const dir = outdir("bad", {
      aws_sqs_queue: { q: { "//": { metadata: { path: "dev/functions/dlq" } }, name: "q" } },
    });
    const r = run("--from", dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("FAIL sqs-encrypted  functions/dlq  (aws_sqs_queue.q)");
    expect(r.stdout).toContain("1 policy findings");
  });

  it("exits 0 on a compliant stack and reports as JSON", () => {
    const dir = outdir("good", { aws_sqs_queue: { q: { sqs_managed_sse_enabled: true } } });
    const r = run("--from", dir, "--json");
    expect(r.status).toBe(0);
    const [report] = JSON.parse(r.stdout) as { stack: string; findings: unknown[]; rules: number }[];
    expect(report).toMatchObject({ stack: "dev", findings: [] });
    expect(report!.rules).toBeGreaterThanOrEqual(25);
  });
});
