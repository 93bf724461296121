import path from "node:path";
import { AthenaWorkgroup as Workgroup } from "@cdktf/provider-aws/lib/athena-workgroup/index.js";
import { describe, expect, it } from "vitest";
import { AthenaWorkgroup } from "../src/constructs/athena-workgroup.ts";
import { DataLake } from "../src/constructs/data-lake.ts";
import { readInputs } from "../src/inputs.ts";
import { ENV, KEY, resources, synth } from "./helpers.ts";

describe("AthenaWorkgroup", () => {
  const queries = [
    { name: "q1", sql: "SELECT 1", description: "one" },
    { name: "q2", sql: "SELECT * FROM curated.bookings WHERE arrival_year = ?" },
  ];
  const { json, doc } = synth((s) => {
    const lake = new DataLake(s, "lake", { namePrefix: "hotels-test", account: ENV.account, kmsKeyArn: KEY });
    new AthenaWorkgroup(s, "athena", {
      namePrefix: "hotels-test",
      account: ENV.account,
      resultsBucket: lake.buckets["query-results"],
      kmsKeyArn: KEY,
      bytesScannedCutoffPerQuery: 1024 ** 3,
      namedQueries: queries,
    });
  });

  it("is engine v3 with enforced, KMS-encrypted results and a scan cut-off", () => {
    expect(json).toHaveResourceWithProperties(Workgroup, {
      name: "hotels-test-analytics",
      configuration: expect.objectContaining({
        enforce_workgroup_configuration: true,
        bytes_scanned_cutoff_per_query: 1024 ** 3,
        engine_version: { selected_engine_version: "Athena engine version 3" },
      }),
    });
    const config = resources(doc, "aws_athena_workgroup")[0]!.configuration as {
      result_configuration: { encryption_configuration: unknown; output_location: string };
    };
    const result = config.result_configuration;
    expect(result.encryption_configuration).toEqual({ encryption_option: "SSE_KMS", kms_key_arn: KEY });
    expect(result.output_location).toMatch(/query-results.*\/athena\/$/);
  });

  it("saves each named query in the workgroup", () => {
    const named = resources(doc, "aws_athena_named_query");
    expect(named.map((q) => q.name)).toEqual(["q1", "q2"]);
    expect(named[1]!.query).toBe(queries[1]!.sql);
    expect(String(named[0]!.workgroup)).toContain("aws_athena_workgroup");
  });

  it("reads packages/query/sql/*.sql with the leading comment as description", () => {
    const { namedQueries } = readInputs(path.resolve(import.meta.dirname, "../.."));
    for (const q of namedQueries) {
      expect(q.name).toMatch(/^[a-z0-9_]+$/);
      expect(q.sql).toMatch(/select/i);
      expect((q.description ?? "").length).toBeLessThanOrEqual(1024);
      expect(q.description ?? "").not.toContain("@param");
    }
  });
});
