import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const script = path.join(import.meta.dirname, "../src/migrate-database.ts");

describe("migrate-database", () => {
  it("finds the two functions it calls in @hotels/source", async () => {
    const specifier: string = "@hotels/source"; // not compiled into infra's typecheck (see the script)
    const source = (await import(specifier)) as Record<string, unknown>;
    expect(typeof source.migrate).toBe("function");
    expect(typeof source.openDataApi).toBe("function");
  });

  it("refuses to run without the cluster, secret and database, naming the missing variable", () => {
    let err: { status?: number; stderr?: Buffer } = {};
    try {
      execFileSync(process.execPath, ["--import", "tsx", script], {
        env: { PATH: process.env.PATH, SECRET_ARN: "s", DATABASE: "d" },
        stdio: "pipe",
      });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.status).toBe(2);
    expect(String(err.stderr)).toContain("CLUSTER_ARN is not set");
  });
});
