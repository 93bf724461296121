import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster/index.js";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance/index.js";
import { postgresDdl, sourceTables } from "@hotels/schema";
import { describe, expect, it } from "vitest";
import { SourceDatabase } from "../src/constructs/source-database.ts";
import { KEY, resources, synth } from "./helpers.ts";

const props = {
  namePrefix: "hotels-test",
  subnetIds: ["a", "b"],
  securityGroupIds: ["sg"],
  kmsKeyArn: KEY,
  logsKeyArn: KEY,
};

describe("SourceDatabase", () => {
  const { json, doc } = synth((s) => new SourceDatabase(s, "db", { ...props, minAcu: 0, maxAcu: 8 }));

  it("is Aurora PostgreSQL Serverless v2 with the Data API, encrypted, IAM auth, managed credentials", () => {
    expect(json).toHaveResourceWithProperties(RdsCluster, {
      engine: "aurora-postgresql",
      engine_mode: "provisioned",
      enable_http_endpoint: true,
      storage_encrypted: true,
      kms_key_id: KEY,
      iam_database_authentication_enabled: true,
      manage_master_user_password: true,
      serverlessv2_scaling_configuration: { min_capacity: 0, max_capacity: 8 },
      deletion_protection: true,
      skip_final_snapshot: false,
    });
    expect(resources(doc, "aws_rds_cluster")[0]!.master_password).toBeUndefined();
    expect(json).toHaveResourceWithProperties(RdsClusterInstance, {
      instance_class: "db.serverless",
      publicly_accessible: false,
    });
  });

  it("applies every source table's DDL through the Data API, in order, re-run when the DDL changes", () => {
    const all = Object.entries(doc.resource!.terraform_data!);
    expect(all).toHaveLength(sourceTables.length);
    const migrations = sourceTables.map((t) => all.find(([id]) => id.startsWith(`db_migrate-${t.name}_`))!);
    const [, first] = migrations[0]!;
    const provisioners = first.provisioner as {
      "local-exec": { command: string; environment: { SQL: string } };
    }[];
    expect(provisioners.map((p) => p["local-exec"].environment.SQL)).toEqual(postgresDdl(sourceTables[0]!));
    expect(provisioners[0]!["local-exec"].command).toContain("aws rds-data execute-statement");
    // Chained: each table after the first depends on the previous (foreign keys).
    expect(String((migrations[1]![1].depends_on as string[])[0])).toContain(migrations[0]![0]);
  });

  it("drops deletion protection and the final snapshot outside prod", () => {
    const dev = synth((s) => new SourceDatabase(s, "db", { ...props, deletionProtection: false }));
    expect(dev.json).toHaveResourceWithProperties(RdsCluster, {
      deletion_protection: false,
      skip_final_snapshot: true,
    });
  });
});
