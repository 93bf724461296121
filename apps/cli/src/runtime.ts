import path from "node:path";
import type { Catalog, LakeLayout, ObjectStore } from "@hotels/lake";
import * as lake from "@hotels/lake";
import type { QueryEngine } from "@hotels/query";
import type { SqlSource } from "@hotels/source";
import type { Config } from "./config.ts";
import { UserError } from "./output.ts";

/** The composition root: which adapter serves each port, chosen once from the configuration.
 * `local` = embedded adapters under `config.home`; `aws` = the AWS SDK adapters of `config.aws.env`.
 * Every getter is lazy and memoised, so a command opens only what it uses. */
export interface Runtime {
  readonly config: Config;
  /** SQL source (RDS): PGlite under `<home>/rds`, `pg` when `databaseUrl` is set, Data API on AWS. */
  source(): Promise<SqlSource>;
  /** Object store (S3): `<home>/lake/<bucket>/<key>` locally. */
  store(): ObjectStore;
  /** Zone → bucket mapping. */
  layout(): LakeLayout;
  /** Catalog (Glue Data Catalog). */
  catalog(): Catalog;
  /** Query engine (Athena): DuckDB over the catalog locally. */
  queryEngine(): Promise<QueryEngine>;
  /** Closes whatever was opened. */
  close(): Promise<void>;
}

export function createRuntime(config: Config): Runtime {
  const closers: (() => Promise<void>)[] = [];
  const once = <T>(make: () => T): (() => T) => {
    let v: T | undefined;
    let made = false;
    return () => {
      if (!made) {
        v = make();
        made = true;
      }
      return v as T;
    };
  };
  const runtime: Runtime = {
    config,
    // --- SQL source (issue #3) ---
    // local: PGlite under `<home>/rds`, or node-postgres when `databaseUrl` is set; aws: the RDS Data API.
    // Migrations run on open (idempotent), so every command sees the current schema.
    source: once(async (): Promise<SqlSource> => {
      const src = await import("@hotels/source");
      let db: SqlSource;
      if (config.runtime === "aws") {
        const { dbResourceArn, dbSecretArn, dbName, region } = config.aws;
        if (!dbResourceArn || !dbSecretArn)
          throw new UserError(
            "the aws runtime needs the database's ARNs: set HOTELS_DB_RESOURCE_ARN and HOTELS_DB_SECRET_ARN (or aws.dbResourceArn / aws.dbSecretArn in the config file)",
          );
        db = src.openDataApi({
          resourceArn: dbResourceArn,
          secretArn: dbSecretArn,
          database: dbName,
          region,
        });
      } else if (config.databaseUrl) {
        db = await src.openPg(config.databaseUrl);
      } else {
        const { mkdir } = await import("node:fs/promises");
        const dataDir = path.join(config.home, "rds");
        await mkdir(dataDir, { recursive: true });
        db = await src.openPglite({ dataDir });
      }
      closers.push(() => db.close());
      await src.migrate(db);
      return db;
    }),
    // --- object store, layout, catalog (issue #4) ---
    // local: `<home>/lake/<zone>/…`, catalog JSON in `<home>/lake/_catalog/`; aws: `<prefix>-<env>-<zone>`
    // buckets and the Glue Data Catalog (databases named after zones).
    store: once(
      (): ObjectStore =>
        config.runtime === "aws"
          ? new lake.S3ObjectStore({ region: config.aws.region })
          : new lake.LocalObjectStore(path.join(config.home, "lake")),
    ),
    layout: once(
      (): LakeLayout =>
        config.runtime === "aws"
          ? lake.awsLayout({ prefix: config.aws.prefix, env: config.aws.env })
          : lake.localLayout(path.join(config.home, "lake")),
    ),
    catalog: once(
      (): Catalog =>
        config.runtime === "aws"
          ? new lake.GlueCatalog({ region: config.aws.region })
          : new lake.LocalCatalog(runtime.store()),
    ),
    // --- query engine (issue #5) ---
    queryEngine: once(async (): Promise<QueryEngine> => {
      const { AthenaQueryEngine, DuckDbQueryEngine } = await import("@hotels/query");
      const engine: QueryEngine =
        config.runtime === "aws"
          ? new AthenaQueryEngine({
              // infra's workgroup `<prefix>-<env>-analytics`; Glue databases are named after zones.
              workGroup: config.aws.athenaWorkgroup ?? `${config.aws.prefix}-${config.aws.env}-analytics`,
              region: config.aws.region,
            })
          : await (async () => {
              const { TableLog } = await import("@hotels/lake");
              const store = runtime.store();
              const layout = runtime.layout();
              const snapshots = new TableLog({ store, layout });
              return DuckDbQueryEngine.create({ store, layout, catalog: runtime.catalog(), snapshots });
            })();
      closers.push(() => engine.close());
      return engine;
    }),
    async close() {
      for (const c of closers.reverse()) await c();
    },
  };
  return runtime;
}
