import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster/index.js";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance/index.js";
import { col, nullable, sourceTables, type TableDef } from "@hotels/schema";
import { describe, expect, it } from "vitest";
import { DEFAULT_MIGRATION_RUNNER, SourceDatabase } from "../src/constructs/source-database.ts";
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

  it("runs @hotels/source's migrate through the Data API once the writer exists", () => {
    interface LocalExec {
      command: string;
      working_dir: string;
      environment: Record<string, string>;
    }
    const migration = Object.values(doc.resource!.terraform_data!)[0] as {
      provisioner: { "local-exec": LocalExec }[];
      depends_on: string[];
      triggers_replace: { tables: string };
    };
    const [exec] = migration.provisioner;
    expect(exec!["local-exec"]).toMatchObject({
      command: DEFAULT_MIGRATION_RUNNER.command,
      working_dir: DEFAULT_MIGRATION_RUNNER.workingDir,
      environment: { DATABASE: "hotels" },
    });
    expect(exec!["local-exec"].environment.CLUSTER_ARN).toMatch(/aws_rds_cluster\..*\.arn/);
    expect(exec!["local-exec"].environment.SECRET_ARN).toMatch(/master_user_secret\[0\]\.secret_arn/);
    expect(String(migration.depends_on)).toContain("aws_rds_cluster_instance");
    expect(migration.triggers_replace.tables).toBe(sourceTables.map((t) => t.name).join(","));
  });

  it("re-runs the migration when a source table's shape changes", () => {
    const fingerprint = (tables: typeof sourceTables | readonly TableDef[]) => {
      const { doc } = synth((s) => new SourceDatabase(s, "db", { ...props, tables }));
      return (Object.values(doc.resource!.terraform_data!)[0]!.triggers_replace as { schema: string }).schema;
    };
    const grown = sourceTables.map((t, i) =>
      i === 0 ? { ...t, columns: [...t.columns, nullable(col.string("nickname", "added column"))] } : t,
    );
    expect(fingerprint(grown)).not.toBe(fingerprint(sourceTables));
  });

  it("drops deletion protection and the final snapshot outside prod", () => {
    const dev = synth((s) => new SourceDatabase(s, "db", { ...props, deletionProtection: false }));
    expect(dev.json).toHaveResourceWithProperties(RdsCluster, {
      deletion_protection: false,
      skip_final_snapshot: true,
    });
  });
});
