import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js";
import { ZONES } from "@hotels/schema";
import { describe, expect, it } from "vitest";
import { DataLake } from "../src/constructs/data-lake.ts";
import { KEY, resources, synth } from "./helpers.ts";

describe("DataLake", () => {
  const { json, doc } = synth(
    (s) =>
      new DataLake(s, "lake", {
        namePrefix: "hotels-test",
        account: "123456789012",
        kmsKeyArn: KEY,
        queryResultsExpireDays: 3,
      }),
  );
  const buckets = resources(doc, "aws_s3_bucket").map((b) => b.bucket);

  it("has one bucket per zone named <prefix>-<env>-<zone>, plus artifacts and access logs", () => {
    for (const z of ZONES) expect(buckets).toContain(`hotels-test-${z}`);
    expect(buckets).toContain("hotels-test-artifacts");
    expect(buckets).toContain("hotels-test-access-logs");
    expect(buckets).toHaveLength(ZONES.length + 2);
  });

  it("encrypts zone buckets with the KMS key and blocks public access on every bucket", () => {
    const sse = resources(doc, "aws_s3_bucket_server_side_encryption_configuration").map(
      (r) => (r.rule as { apply_server_side_encryption_by_default: { sse_algorithm: string } }[])[0]!,
    );
    expect(
      sse.filter((r) => r.apply_server_side_encryption_by_default.sse_algorithm === "aws:kms"),
    ).toHaveLength(ZONES.length + 1);
    expect(resources(doc, "aws_s3_bucket_public_access_block")).toHaveLength(buckets.length);
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it("denies non-TLS requests on every bucket", () => {
    const policies = resources(doc, "aws_s3_bucket_policy").map((p) => JSON.parse(String(p.policy)));
    expect(policies).toHaveLength(buckets.length);
    for (const p of policies)
      expect(p.Statement).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      );
  });

  it("tiers raw to IA then Glacier and expires query results", () => {
    const rules = resources(doc, "aws_s3_bucket_lifecycle_configuration").flatMap(
      (l) => l.rule as Record<string, unknown>[],
    );
    const raw = rules.find((r) => r.id === "raw-tiering")!;
    expect(raw.transition).toEqual([
      { days: 30, storage_class: "STANDARD_IA" },
      { days: 90, storage_class: "GLACIER" },
    ]);
    expect(rules.find((r) => r.id === "expire-query-results")!.expiration).toEqual([{ days: 3 }]);
  });

  it("logs every zone bucket to the access-log bucket", () => {
    expect(resources(doc, "aws_s3_bucket_logging")).toHaveLength(ZONES.length + 1);
  });
});
