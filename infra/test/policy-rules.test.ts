import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkStack } from "../src/policy/check.ts";
import { RULES } from "../src/policy/registry.ts";
import { StackView } from "../src/policy/stack-view.ts";

type Res = Record<string, Record<string, Record<string, unknown>>>;
const view = (resource: Res, env = "dev") => new StackView(env, { resource });
const ref = (address: string, attr = "id") => `\${${address}.${attr}}`;
const policy = (...Statement: Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement });
const B = "aws_s3_bucket.b";

/** A bucket with everything the S3 rules ask for; `without` drops one attached resource. */
function bucket(without?: string, patch: Res = {}): Res {
  const all: Res = {
    aws_s3_bucket: { b: { bucket: "x" } },
    aws_s3_bucket_public_access_block: {
      p: {
        bucket: ref(B),
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      },
    },
    aws_s3_bucket_policy: {
      p: {
        bucket: ref(B),
        policy: policy({
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: "*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      },
    },
    aws_s3_bucket_server_side_encryption_configuration: {
      e: {
        bucket: ref(B),
        rule: [
          { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "k" } },
        ],
      },
    },
    aws_s3_bucket_versioning: { v: { bucket: ref(B), versioning_configuration: { status: "Enabled" } } },
    aws_s3_bucket_logging: { l: { bucket: ref(B), target_bucket: "logs" } },
    aws_s3_bucket_lifecycle_configuration: { l: { bucket: ref(B), rule: [{ id: "r", status: "Enabled" }] } },
  };
  if (without) delete all[without];
  return { ...all, ...patch };
}

const cluster = (patch: Record<string, unknown> = {}) => ({
  aws_rds_cluster: {
    c: {
      storage_encrypted: true,
      kms_key_id: "k",
      db_subnet_group_name: "g",
      iam_database_authentication_enabled: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      backup_retention_period: 7,
      copy_tags_to_snapshot: true,
      manage_master_user_password: true,
      enabled_cloudwatch_logs_exports: ["postgresql"],
      ...patch,
    },
  },
});
const fn = (patch: Record<string, unknown> = {}) => ({
  aws_lambda_function: {
    f: {
      runtime: "nodejs22.x",
      dead_letter_config: { target_arn: "q" },
      tracing_config: { mode: "Active" },
      environment: { variables: { A: "1" } },
      kms_key_arn: "k",
      vpc_config: { subnet_ids: ["s"], security_group_ids: ["g"] },
      ...patch,
    },
  },
});
const rolePolicy = (...s: Record<string, unknown>[]) => ({
  aws_iam_role_policy: { p: { role: "r", policy: policy(...s) } },
});
const workgroup = (cfg: Record<string, unknown> = {}) => ({
  aws_athena_workgroup: {
    w: {
      configuration: {
        enforce_workgroup_configuration: true,
        bytes_scanned_cutoff_per_query: 1e10,
        result_configuration: {
          encryption_configuration: { encryption_option: "SSE_KMS", kms_key_arn: "k" },
        },
        ...cfg,
      },
    },
  },
});
const secCfg = (bookmarks = "CSE-KMS") => ({
  aws_glue_security_configuration: {
    s: {
      encryption_configuration: {
        s3_encryption: { s3_encryption_mode: "SSE-KMS" },
        cloudwatch_encryption: { cloudwatch_encryption_mode: "SSE-KMS" },
        job_bookmarks_encryption: { job_bookmarks_encryption_mode: bookmarks },
      },
    },
  },
});
const vpc = (extra: Res = {}) => ({ aws_vpc: { v: { cidr_block: "10.0.0.0/16" } }, ...extra });

/** For every rule: a compliant fixture, and a non-compliant one that must fail it (and the stack name). */
const FIXTURES: Record<string, { good: Res; bad: Res; env?: string }> = {
  "s3-public-access-block": {
    good: bucket(),
    bad: bucket(undefined, {
      aws_s3_bucket_public_access_block: {
        p: { bucket: ref(B), block_public_acls: true, block_public_policy: false },
      },
    }),
  },
  "s3-tls-only": { good: bucket(), bad: bucket("aws_s3_bucket_policy") },
  "s3-kms-encryption": {
    good: bucket(),
    bad: bucket(undefined, {
      aws_s3_bucket_server_side_encryption_configuration: {
        e: {
          bucket: ref(B),
          rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
        },
      },
    }),
  },
  "s3-versioning": {
    good: bucket(),
    bad: bucket(undefined, {
      aws_s3_bucket_versioning: { v: { bucket: ref(B), versioning_configuration: { status: "Suspended" } } },
    }),
  },
  "s3-access-logging": { good: bucket(), bad: bucket("aws_s3_bucket_logging") },
  "s3-lifecycle": { good: bucket(), bad: bucket("aws_s3_bucket_lifecycle_configuration") },
  "rds-storage-encrypted": { good: cluster(), bad: cluster({ storage_encrypted: false }) },
  "rds-private": {
    good: { ...cluster(), aws_rds_cluster_instance: { i: { publicly_accessible: false } } },
    bad: { ...cluster(), aws_rds_cluster_instance: { i: { publicly_accessible: true } } },
  },
  "rds-iam-auth": { good: cluster(), bad: cluster({ iam_database_authentication_enabled: false }) },
  "rds-deletion-protection": { good: cluster(), bad: cluster({ deletion_protection: false }), env: "prod" },
  "rds-backups": { good: cluster(), bad: cluster({ backup_retention_period: 3 }), env: "prod" },
  "rds-managed-credentials": {
    good: cluster(),
    bad: cluster({ manage_master_user_password: undefined, master_password: "hunter2" }),
  },
  "rds-log-exports": { good: cluster(), bad: cluster({ enabled_cloudwatch_logs_exports: [] }) },
  "glue-catalog-encryption": {
    good: {
      aws_glue_catalog_database: { d: { name: "raw" } },
      aws_glue_data_catalog_encryption_settings: {
        s: {
          data_catalog_encryption_settings: {
            encryption_at_rest: { catalog_encryption_mode: "SSE-KMS" },
            connection_password_encryption: { return_connection_password_encrypted: true },
          },
        },
      },
    },
    bad: { aws_glue_catalog_database: { d: { name: "raw" } } },
  },
  "glue-security-configuration": {
    good: {
      ...secCfg(),
      aws_glue_job: { j: { security_configuration: ref("aws_glue_security_configuration.s", "name") } },
    },
    bad: {
      ...secCfg("DISABLED"),
      aws_glue_job: { j: { security_configuration: ref("aws_glue_security_configuration.s", "name") } },
      aws_glue_crawler: { c: {} },
    },
  },
  "athena-workgroup-enforced": {
    good: workgroup(),
    bad: workgroup({ enforce_workgroup_configuration: false }),
  },
  "athena-results-encrypted": {
    good: workgroup(),
    bad: workgroup({ result_configuration: { output_location: "s3://x/" } }),
  },
  "sagemaker-endpoint-kms": {
    good: { aws_sagemaker_endpoint_configuration: { c: { kms_key_arn: "k" } } },
    bad: { aws_sagemaker_endpoint_configuration: { c: {} } },
  },
  "sagemaker-network-isolation": {
    good: { aws_sagemaker_model: { m: { enable_network_isolation: true } } },
    bad: { aws_sagemaker_model: { m: {} } },
  },
  "lambda-dlq": { good: fn(), bad: fn({ dead_letter_config: undefined }) },
  "lambda-supported-runtime": { good: fn(), bad: fn({ runtime: "nodejs16.x" }) },
  "lambda-tracing": { good: fn(), bad: fn({ tracing_config: { mode: "PassThrough" } }) },
  "lambda-env-encrypted": { good: fn(), bad: fn({ kms_key_arn: undefined }) },
  "lambda-url-iam-auth": {
    good: { aws_lambda_function_url: { u: { authorization_type: "AWS_IAM" } } },
    bad: { aws_lambda_function_url: { u: { authorization_type: "NONE" } } },
  },
  "lambda-in-vpc": { good: fn(), bad: fn({ vpc_config: undefined }) },
  "iam-no-wildcard-actions": {
    good: rolePolicy({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] }),
    bad: rolePolicy({ Effect: "Allow", Action: ["s3:Get*"], Resource: ["arn:aws:s3:::b/*"] }),
  },
  "iam-no-wildcard-resources": {
    good: rolePolicy({ Effect: "Allow", Action: ["xray:PutTraceSegments"], Resource: "*" }),
    bad: rolePolicy({ Effect: "Allow", Action: ["s3:GetObject", "xray:PutTraceSegments"], Resource: "*" }),
  },
  "iam-no-admin-policies": {
    good: { aws_iam_role_policy_attachment: { a: { policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" } } },
    bad: {
      aws_iam_role_policy_attachment: { a: { policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" } },
    },
  },
  "iam-trust-confused-deputy": {
    good: {
      aws_iam_role: {
        r: {
          assume_role_policy: policy({
            Effect: "Allow",
            Principal: { Service: "glue.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": "1" } },
          }),
        },
      },
    },
    bad: {
      aws_iam_role: {
        r: {
          assume_role_policy: policy({
            Effect: "Allow",
            Principal: { Service: "glue.amazonaws.com" },
            Action: "sts:AssumeRole",
          }),
        },
      },
    },
  },
  "kms-rotation": {
    good: { aws_kms_key: { k: { enable_key_rotation: true } } },
    bad: { aws_kms_key: { k: { enable_key_rotation: false } } },
  },
  "log-retention": {
    good: { aws_cloudwatch_log_group: { g: { retention_in_days: 365, kms_key_id: "k" } } },
    bad: { aws_cloudwatch_log_group: { g: { retention_in_days: 30, kms_key_id: "k" } } },
    env: "prod",
  },
  "log-group-kms": {
    good: { aws_cloudwatch_log_group: { g: { retention_in_days: 30, kms_key_id: "k" } } },
    bad: { aws_cloudwatch_log_group: { g: { retention_in_days: 30 } } },
  },
  "sqs-encrypted": {
    good: { aws_sqs_queue: { q: { sqs_managed_sse_enabled: true } } },
    bad: { aws_sqs_queue: { q: { sqs_managed_sse_enabled: false } } },
  },
  "sns-encrypted": {
    good: { aws_sns_topic: { t: { kms_master_key_id: "k" } } },
    bad: { aws_sns_topic: { t: {} } },
  },
  "vpc-flow-logs": {
    good: vpc({ aws_flow_log: { f: { vpc_id: ref("aws_vpc.v") } } }),
    bad: vpc({ aws_flow_log: { f: { vpc_id: "vpc-other" } } }),
  },
  "vpc-default-sg-closed": {
    good: vpc({ aws_default_security_group: { d: { vpc_id: ref("aws_vpc.v"), ingress: [], egress: [] } } }),
    bad: vpc(),
  },
  "sg-no-public-ingress": {
    good: { aws_vpc_security_group_ingress_rule: { r: { cidr_ipv4: "10.0.0.0/16", from_port: 443 } } },
    bad: { aws_vpc_security_group_ingress_rule: { r: { cidr_ipv4: "0.0.0.0/0", from_port: 22 } } },
  },
};

describe("policy rules", () => {
  it("has at least 25 rules, one file each, every one registered and with fixtures", () => {
    const files = readdirSync(path.join(import.meta.dirname, "../src/policy/rules")).map((f) =>
      f.replace(/\.ts$/, ""),
    );
    expect(RULES.length).toBeGreaterThanOrEqual(25);
    expect(RULES.map((r) => r.id).sort()).toEqual(files.sort());
    expect(Object.keys(FIXTURES).sort()).toEqual(files.sort());
  });

  for (const rule of RULES) {
    describe(rule.id, () => {
      const fx = FIXTURES[rule.id]!;
      it("fails its non-compliant fixture", () => {
        const found = rule.check(view(fx.bad, fx.env));
        expect(found.length).toBeGreaterThan(0);
        for (const [r, message] of found) {
          expect(r.address).toMatch(/^aws_/);
          expect(message.length).toBeGreaterThan(5);
        }
      });
      it("passes its compliant fixture", () => {
        expect(rule.check(view(fx.good, fx.env))).toEqual([]);
      });
    });
  }
});

describe("suppressions", () => {
  const bad = bucket("aws_s3_bucket_logging");
  bad.aws_s3_bucket!.b!["//"] = { metadata: { path: "dev/lake/logs" } };

  it("waive a finding at the matching construct path, keeping the reason", () => {
    const reason = "the access-log bucket cannot log into itself without looping";
    const r = checkStack(view(bad), RULES, [{ rule: "s3-access-logging", path: "lake/*", reason }]);
    expect(r.findings).toEqual([]);
    expect(r.suppressed).toEqual([
      expect.objectContaining({ rule: "s3-access-logging", path: "lake/logs", reason }),
    ]);
  });

  it("do not apply elsewhere", () => {
    const r = checkStack(view(bad), RULES, [
      { rule: "s3-access-logging", path: "other/*", reason: "x".repeat(40) },
    ]);
    expect(r.findings.map((f) => f.rule)).toEqual(["s3-access-logging"]);
  });

  it("are refused without a written reason", () => {
    expect(() =>
      checkStack(view(bad), RULES, [{ rule: "s3-access-logging", path: "lake/logs", reason: "ok" }]),
    ).toThrow(/needs a written reason/);
  });
});
