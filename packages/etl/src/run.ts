import { type Catalog, crawl, type LakeLayout, type ObjectStore } from "@hotels/lake";
import type { SqlSource } from "@hotels/source";
import { type LocalEtlOptions, runLocalEtl } from "./duckdb/runner.ts";
import type { EtlSummary } from "./summary.ts";

export interface EtlPorts {
  readonly source: SqlSource;
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  /** When given, the tables this run committed are crawled into it after the load. */
  readonly catalog?: Catalog;
}

export interface EtlOptions extends LocalEtlOptions {
  /** Crawl after the run when a catalog is given. Default true. */
  readonly crawl?: boolean;
}

/** The ETL entry point: runs the selected jobs (all by default, incrementally unless `full`) on DuckDB over
 * the local lake, then crawls what changed. On AWS the same definitions run as the generated Glue job
 * (`GLUE_SCRIPT_PATH`); this runner needs an object store with local paths. */
export async function runEtl(ports: EtlPorts, options: EtlOptions = {}): Promise<EtlSummary> {
  const summary = await runLocalEtl(ports, options);
  const changed = [...new Set(summary.steps.filter((s) => s.version !== undefined).map((s) => s.table))];
  if (!ports.catalog || options.crawl === false || changed.length === 0) return summary;
  if (summary.steps.some((s) => s.step === "transform" && s.rejected > 0))
    changed.push("rejected.etl_rejects");
  const report = await crawl({
    store: ports.store,
    layout: ports.layout,
    catalog: ports.catalog,
    tables: changed,
  });
  return { ...summary, crawl: report };
}
