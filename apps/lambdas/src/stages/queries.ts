import type { Stage } from "@hotels/pipeline";

/** On AWS the named queries are saved in Athena by infra and run on demand; the pipeline does not run them
 * (each scan costs money), so this step is recorded as skipped with that reason. */
export const athenaQueriesStage: Stage<"queries"> = {
  async run() {
    return { kind: "skipped", note: "named queries are Athena named queries on AWS (run on demand)" };
  },
};
