import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { usesSymlinkManifests } from "@hotels/schema";
import { describe, expect, it } from "vitest";
import {
  GLUE_JOB_ARGUMENTS,
  GLUE_MANIFESTS_PATH,
  GLUE_SCRIPT_PATH,
  generateGlueScript,
  jobs,
  loadJobs,
  transformJobs,
  transformSql,
} from "../src/index.ts";

describe("generated Glue script", () => {
  const script = generateGlueScript();

  it("the committed golden copy equals what the job definitions generate (run `pnpm --filter @hotels/etl build:golden`)", () => {
    // act
    const golden = readFileSync(GLUE_SCRIPT_PATH, "utf8");
    // assert
    expect(golden === script).toBe(true);
  });

  it("compiles with python3 -m py_compile", () => {
    // prepare: byte code goes to a temp folder, never next to the committed script
    const env = { ...process.env, PYTHONPYCACHEPREFIX: mkdtempSync(path.join(tmpdir(), "pyc-")) };
    // act
    const run = () => execFileSync("python3", ["-m", "py_compile", GLUE_SCRIPT_PATH], { env, stdio: "pipe" });
    // assert
    expect(run).not.toThrow();
  });

  it("carries every job and the transform SQL verbatim, and declares the job arguments it reads", () => {
    // assert
    for (const j of jobs) expect(script).toContain(`"name": "${j.name}"`);
    const bookings = transformJobs.find((j) => j.target.name === "bookings")!;
    expect(script).toContain(`"""${transformSql(bookings).accepted}"""`);
    for (const arg of Object.keys(GLUE_JOB_ARGUMENTS)) expect(script).toContain(`"${arg}"`);
    expect(script).toContain('IfNoneMatch="*"'); // snapshots commit create-if-absent, as TableLog does
  });

  it("embeds manifests.py, flags each table with the schema's manifest-zone rule, and publishes before vacuum", () => {
    // assert: the manifest functions verbatim, ahead of the runtime that calls them
    const manifests = readFileSync(GLUE_MANIFESTS_PATH, "utf8");
    expect(script).toContain(manifests);
    expect(script.indexOf(manifests)).toBeLessThan(script.indexOf("def publish(zone, table):"));
    // one flag per table spec, as usesSymlinkManifests says
    for (const t of [...transformJobs.map((j) => j.target), ...loadJobs.map((j) => j.target)]) {
      const at = script.indexOf(`"${t.zone}.${t.name}": {`);
      const spec = script.slice(at, script.indexOf("\n    },", at));
      expect(spec, `${t.zone}.${t.name}`).toContain(
        `"manifests": ${usesSymlinkManifests(t) ? "True" : "False"},`,
      );
    }
    // the run's committed tables are published, then vacuumed
    const main = script.slice(script.lastIndexOf("\nsummary = []"));
    expect(main.indexOf("r = publish(zone, table)")).toBeGreaterThan(0);
    expect(main.indexOf("r = publish(zone, table)")).toBeLessThan(main.indexOf("    vacuum(zone, table)"));
  });
});
