import { type GlueClient, StartCrawlerCommand, StartJobRunCommand } from "@aws-sdk/client-glue";
import type { TableLog } from "@hotels/lake";
import type { Stage } from "@hotels/pipeline";
import { curatedTables } from "@hotels/schema";

import { crawlFinish } from "./finish-only.ts";
import { crawlerRef, glueJobRef } from "./refs.ts";

/** ETL on AWS: starts the Glue job generated from the ETL definitions (`--run_id` ties its output to the
 * run); the Glue Job State Change handler finishes the step from the snapshots the job committed. */
export function glueEtlStage(o: {
  readonly glue: GlueClient;
  readonly jobName: string;
  readonly tables: TableLog;
}): Stage<"etl"> {
  return {
    async run(_event, ctx) {
      const r = await o.glue.send(
        new StartJobRunCommand({ JobName: o.jobName, Arguments: { "--run_id": ctx.runId } }),
      );
      if (!r.JobRunId) throw new Error(`StartJobRun ${o.jobName} returned no JobRunId`);
      return {
        kind: "pending",
        ref: glueJobRef(r.JobRunId),
        note: `Glue job ${o.jobName} run ${r.JobRunId}`,
      };
    },
    async finish() {
      const tables: Record<string, { version: number; rows: number }> = {};
      for (const t of curatedTables) {
        const snap = await o.tables.current("curated", t.name);
        if (snap) tables[`curated.${t.name}`] = { version: snap.version, rows: snap.rows };
      }
      const rows = Object.values(tables).reduce((a, t) => a + t.rows, 0);
      return { kind: "done", data: { tables }, counts: { tables: Object.keys(tables).length, rows } };
    },
  };
}

/** Crawl on AWS: starts the crawler; a crawl already running is joined (its completion finishes this
 * step too) instead of failing like Glue's CrawlerRunningException. */
export function glueCrawlStage(o: {
  readonly glue: GlueClient;
  readonly crawlerName: string;
}): Stage<"crawl"> {
  return {
    async run() {
      try {
        await o.glue.send(new StartCrawlerCommand({ Name: o.crawlerName }));
      } catch (e) {
        if ((e as { name?: string }).name !== "CrawlerRunningException") throw e;
        return { kind: "pending", ref: crawlerRef(o.crawlerName), note: "joined the running crawl" };
      }
      return { kind: "pending", ref: crawlerRef(o.crawlerName), note: `crawler ${o.crawlerName} started` };
    },
    finish: crawlFinish,
  };
}
