import path from "node:path";
import { GlueCrawler } from "@cdktf/provider-aws/lib/glue-crawler/index.js";
import { GlueDataCatalogEncryptionSettings } from "@cdktf/provider-aws/lib/glue-data-catalog-encryption-settings/index.js";
import { GlueJob } from "@cdktf/provider-aws/lib/glue-job/index.js";
import { GlueSecurityConfiguration } from "@cdktf/provider-aws/lib/glue-security-configuration/index.js";
import {
  bookingPredictions,
  curatedBookings,
  glueType,
  lakeTables,
  PARQUET_INPUT_FORMAT,
  PARQUET_OUTPUT_FORMAT,
  PARQUET_SERDE,
  SYMLINK_INPUT_FORMAT,
  SYMLINK_OUTPUT_FORMAT,
  usesSymlinkManifests,
} from "@hotels/schema";
import { describe, expect, it } from "vitest";
import { DataLake } from "../src/constructs/data-lake.ts";
import { GlueEtl, scriptArguments } from "../src/constructs/glue-etl.ts";
import { readInputs } from "../src/inputs.ts";
import { ENV, KEY, resources, synth } from "./helpers.ts";

const make = (scriptPath?: string) =>
  synth((s) => {
    const lake = new DataLake(s, "lake", { namePrefix: "hotels-test", account: ENV.account, kmsKeyArn: KEY });
    new GlueEtl(s, "glue", {
      ...ENV,
      buckets: lake.buckets,
      artifacts: lake.artifacts,
      lakeKeyArn: KEY,
      logsKeyArn: KEY,
      scriptPath,
      database: { jdbcUrl: "jdbc:postgresql://db:5432/hotels", secretArn: "arn:secret", name: "hotels" },
      subnetId: "subnet",
      availabilityZone: "eu-west-1a",
      securityGroupId: "sg",
    });
  });

describe("GlueEtl", () => {
  const { json, doc } = make(path.join(import.meta.dirname, "fixtures/glue_etl.py"));

  it("catalogs every lake table, one database per zone, columns derived from the schema", () => {
    const tables = resources(doc, "aws_glue_catalog_table");
    expect(tables).toHaveLength(lakeTables.length);
    expect(
      resources(doc, "aws_glue_catalog_database")
        .map((d) => d.name)
        .sort(),
    ).toEqual(["curated", "predictions", "processed", "raw", "rejected"]);
    const bookings = tables.find(
      (t) => String(t.database_name).includes("db-curated") && t.name === "bookings",
    )!;
    const sd = bookings.storage_descriptor as { columns: { name: string; type: string }[]; location: string };
    expect(sd.columns.map((c) => c.name)).toEqual(curatedBookings.columns.map((c) => c.name));
    expect(sd.columns[0]!.type).toBe(glueType(curatedBookings.columns[0]!.type));
    expect((bookings.partition_keys as { name: string }[]).map((k) => k.name)).toEqual([
      "arrival_year",
      "arrival_month",
    ]);
    expect(sd.location).toMatch(
      /^s3:\/\/\$\{aws_s3_bucket\.lake_curated_.*\.bucket\}\/bookings\/_symlink_format_manifest\/$/,
    );
  });

  it("gives tables the crawler's shape: symlink manifests for the snapshot writers' zones, Parquet for predictions", () => {
    // prepare
    type Sd = {
      location: string;
      input_format: string;
      output_format: string;
      ser_de_info: { serialization_library: string };
    };
    const tables = resources(doc, "aws_glue_catalog_table");
    const sd = (zone: string, name: string) =>
      tables.find((t) => String(t.database_name).includes(`db-${zone}`) && t.name === name)!
        .storage_descriptor as Sd;
    // assert
    for (const t of lakeTables) {
      const s = sd(t.zone, t.name);
      expect(s.ser_de_info.serialization_library, `${t.zone}.${t.name}`).toBe(PARQUET_SERDE);
      if (usesSymlinkManifests(t)) {
        expect(s.location, `${t.zone}.${t.name}`).toMatch(
          new RegExp(`/${t.name}/_symlink_format_manifest/$`),
        );
        expect([s.input_format, s.output_format]).toEqual([SYMLINK_INPUT_FORMAT, SYMLINK_OUTPUT_FORMAT]);
      } else {
        expect(s.location, `${t.zone}.${t.name}`).toMatch(new RegExp(`\\}/${t.name}/$`));
        expect([s.input_format, s.output_format]).toEqual([PARQUET_INPUT_FORMAT, PARQUET_OUTPUT_FORMAT]);
      }
    }
    expect(sd("predictions", bookingPredictions.name).location).toMatch(
      /^s3:\/\/\$\{aws_s3_bucket\.lake_predictions_.*\.bucket\}\/booking_cancellations\/$/,
    );
    expect(lakeTables.filter((t) => !usesSymlinkManifests(t)).map((t) => t.zone)).toEqual(["predictions"]);
  });

  it("encrypts the catalog, connection passwords, job output, logs and bookmarks", () => {
    expect(json).toHaveResourceWithProperties(GlueDataCatalogEncryptionSettings, {
      data_catalog_encryption_settings: {
        encryption_at_rest: { catalog_encryption_mode: "SSE-KMS", sse_aws_kms_key_id: KEY },
        connection_password_encryption: { return_connection_password_encrypted: true, aws_kms_key_id: KEY },
      },
    });
    expect(json).toHaveResourceWithProperties(GlueSecurityConfiguration, {
      encryption_configuration: {
        s3_encryption: { s3_encryption_mode: "SSE-KMS", kms_key_arn: KEY },
        cloudwatch_encryption: { cloudwatch_encryption_mode: "SSE-KMS", kms_key_arn: KEY },
        job_bookmarks_encryption: { job_bookmarks_encryption_mode: "CSE-KMS", kms_key_arn: KEY },
      },
    });
  });

  it("runs the script as a Glue 5.0 job with bookmarks through the JDBC connection", () => {
    expect(json).toHaveResourceWithProperties(GlueJob, { glue_version: "5.0", worker_type: "G.1X" });
    const job = resources(doc, "aws_glue_job")[0]!;
    expect((job.default_arguments as Record<string, string>)["--job-bookmark-option"]).toBe(
      "job-bookmark-enable",
    );
    expect(String((job.command as { script_location: string }).script_location)).toContain(
      "aws_s3_object.glue_script",
    );
    expect(resources(doc, "aws_s3_object")[0]!.key).toBe("glue/glue_etl.py");
    expect(String(job.security_configuration)).toContain("aws_glue_security_configuration");
    expect(resources(doc, "aws_glue_connection")[0]!.connection_properties).toMatchObject({
      JDBC_CONNECTION_URL: "jdbc:postgresql://db:5432/hotels",
      SECRET_ID: "arn:secret",
    });
    expect(resources(doc, "aws_s3_object")).toHaveLength(1);
  });

  it("crawls the catalogued tables for partitions and only logs schema changes", () => {
    expect(json).toHaveResourceWithProperties(GlueCrawler, {
      schema_change_policy: { delete_behavior: "LOG", update_behavior: "LOG" },
    });
    const crawler = resources(doc, "aws_glue_crawler")[0]!;
    const targets = crawler.catalog_target as { tables: string[] }[];
    expect(targets.flatMap((t) => t.tables)).toHaveLength(lakeTables.length);
    // partitions found under a table's manifest folder get the table's symlink storage descriptor
    expect(JSON.parse(String(crawler.configuration))).toEqual({
      Version: 1,
      CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } },
    });
  });

  it("lets the job put, list and delete manifests in the zones it writes; the crawler only reads", () => {
    // prepare
    type Statement = { Sid: string; Action: string[]; Resource: string | string[] };
    const policy = (role: string) =>
      (
        JSON.parse(
          String(resources(doc, "aws_iam_role_policy").find((p) => String(p.role).includes(role))!.policy),
        ) as { Statement: Statement[] }
      ).Statement;
    const job = policy("glue_job-role");
    const crawler = policy("glue_crawler-role");
    const sid = (s: Statement[], id: string) => s.find((x) => x.Sid === id)!;
    // assert
    expect(sid(job, "LakeObjects").Action).toEqual(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
    expect(sid(job, "LakeBuckets").Action).toContain("s3:ListBucket");
    for (const zone of ["raw", "processed", "curated", "rejected"])
      expect(JSON.stringify(sid(job, "LakeObjects").Resource)).toContain(`lake_${zone}_`);
    expect(sid(crawler, "LakeObjects").Action).toEqual(["s3:GetObject"]);
    expect(sid(crawler, "LakeBuckets").Action).toEqual(["s3:ListBucket"]);
  });

  it("synthesizes no job without a script", () => {
    const { doc } = make(undefined);
    expect(doc.resource?.aws_glue_job).toBeUndefined();
    expect(resources(doc, "aws_glue_crawler")).toHaveLength(1);
  });
});

describe("GlueEtl with the generated script of @hotels/etl", () => {
  it("sets every argument the script declares", () => {
    const script = readInputs().glueScriptPath;
    if (!script) {
      console.warn("skipped: packages/etl/glue/glue_etl.py does not exist yet");
      return;
    }
    const declared = scriptArguments(script);
    expect(declared.length).toBeGreaterThan(0);
    let glue: GlueEtl | undefined;
    synth((s) => {
      const lake = new DataLake(s, "lake", {
        namePrefix: "hotels-test",
        account: ENV.account,
        kmsKeyArn: KEY,
      });
      glue = new GlueEtl(s, "glue", {
        ...ENV,
        buckets: lake.buckets,
        artifacts: lake.artifacts,
        lakeKeyArn: KEY,
        logsKeyArn: KEY,
        scriptPath: script,
        database: { jdbcUrl: "jdbc:postgresql://db:5432/hotels", secretArn: "arn:secret", name: "hotels" },
        subnetId: "subnet",
        availabilityZone: "eu-west-1a",
        securityGroupId: "sg",
      });
    });
    expect(glue!.missingArguments).toEqual([]);
  });
});
