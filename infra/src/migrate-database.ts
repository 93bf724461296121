/** Brings the Aurora source database to the current `@hotels/schema` with `@hotels/source`'s `migrate`
 * (ledger table, create then additive alter steps, one transaction under an advisory lock) through the RDS
 * Data API. Run by `SourceDatabase`'s `terraform_data` provisioner on deploy, or by hand:
 * `CLUSTER_ARN=… SECRET_ARN=… DATABASE=hotels pnpm --filter @hotels/infra migrate-database`. */

/** The two functions used, typed here: importing `@hotels/source` statically would make infra's
 * typecheck compile the whole AWS SDK's types (~3 s of its 10 s budget); `@hotels/source` checks them. */
interface SourceModule {
  openDataApi(o: { resourceArn: string; secretArn: string; database: string }): { close(): Promise<void> };
  migrate(source: unknown): Promise<{ applied: string[]; version: number }>;
}

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) {
    console.error(`migrate-database: ${name} is not set`);
    process.exit(2);
  }
  return v;
};

const resourceArn = need("CLUSTER_ARN");
const secretArn = need("SECRET_ARN");
const database = need("DATABASE");
const specifier: string = "@hotels/source";
const { migrate, openDataApi } = (await import(specifier)) as SourceModule;
const source = openDataApi({ resourceArn, secretArn, database });
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
