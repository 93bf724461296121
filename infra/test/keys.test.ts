import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias/index.js";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key/index.js";
import { describe, expect, it } from "vitest";
import { Keys } from "../src/constructs/keys.ts";
import { ENV, resources, synth } from "./helpers.ts";

describe("Keys", () => {
  const { json, doc } = synth((s) => new Keys(s, "keys", ENV));

  it("creates four rotating keys with aliases", () => {
    expect(resources(doc, "aws_kms_key")).toHaveLength(4);
    for (const k of resources(doc, "aws_kms_key")) expect(k.enable_key_rotation).toBe(true);
    expect(json).toHaveResourceWithProperties(KmsAlias, { name: "alias/hotels-test-lake" });
    expect(json).toHaveResourceWithProperties(KmsKey, { deletion_window_in_days: 30 });
  });

  it("lets CloudWatch Logs of this region and account use the logs key, and only that key", () => {
    const withLogs = resources(doc, "aws_kms_key").filter((k) => String(k.policy).includes("logs.eu-west-1"));
    expect(withLogs).toHaveLength(1);
    const policy = JSON.parse(String(withLogs[0]!.policy));
    const stmt = policy.Statement.find((x: { Sid: string }) => x.Sid === "CloudWatchLogsUse");
    expect(stmt.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).toBe(
      "arn:aws:logs:eu-west-1:123456789012:*",
    );
  });
});
