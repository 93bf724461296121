import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

describe("configuration", () => {
  it("takes flags over env vars over the config file over defaults", () => {
    // prepare
    const cwd = mkdtempSync(path.join(tmpdir(), "cfg-"));
    writeFileSync(
      path.join(cwd, "hotels.config.json"),
      JSON.stringify({ home: "from-file", runtime: "aws", aws: { env: "staging", region: "us-east-1" } }),
    );
    // act
    const fileOnly = loadConfig({ cwd, env: {} });
    const withEnv = loadConfig({ cwd, env: { HOTELS_HOME: "from-env", HOTELS_ENV: "prod" } });
    const withFlags = loadConfig({
      cwd,
      env: { HOTELS_HOME: "from-env" },
      flags: { home: "from-flag", runtime: "local" },
    });
    const defaults = loadConfig({ cwd: tmpdir(), env: {} });
    // assert
    expect(fileOnly).toMatchObject({
      runtime: "aws",
      home: path.join(cwd, "from-file"),
      aws: { env: "staging", region: "us-east-1" },
    });
    expect(withEnv).toMatchObject({
      home: path.join(cwd, "from-env"),
      aws: { env: "prod", region: "us-east-1" },
    });
    expect(withFlags).toMatchObject({ runtime: "local", home: path.join(cwd, "from-flag") });
    expect(defaults).toMatchObject({
      runtime: "local",
      home: path.join(tmpdir(), ".hotels"),
      aws: { env: "dev", prefix: "hotels" },
    });
  });

  it("names the field of a bad value", () => {
    expect(() => loadConfig({ cwd: tmpdir(), env: { HOTELS_RUNTIME: "gcp" } })).toThrow(
      /configuration: runtime:/,
    );
    expect(() => loadConfig({ cwd: tmpdir(), env: {}, file: "/nonexistent.json" })).toThrow(
      /config file not found/,
    );
  });
});
