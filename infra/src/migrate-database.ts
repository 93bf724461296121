/** Brings the Aurora source database to the current `@hotels/schema` with `@hotels/source`'s `migrate`
 * (ledger table, create then additive alter steps, one transaction under an advisory lock) through the RDS
 * Data API. Run by `SourceDatabase`'s `terraform_data` provisioner on deploy, or by hand:
 * `CLUSTER_ARN=… SECRET_ARN=… DATABASE=hotels pnpm --filter @hotels/infra migrate-database`. */
import { migrate, openDataApi } from "@hotels/source";

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) {
    console.error(`migrate-database: ${name} is not set`);
    process.exit(2);
  }
  return v;
};

const source = openDataApi({
  resourceArn: need("CLUSTER_ARN"),
  secretArn: need("SECRET_ARN"),
  database: need("DATABASE"),
});
try {
  const r = await migrate(source);
  console.log(
    r.applied.length
      ? `migrated to version ${r.version}: ${r.applied.join(", ")}`
      : `schema current (version ${r.version})`,
  );
} finally {
  await source.close();
}
