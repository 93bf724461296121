import type { predictToLake } from "@hotels/ml";
import type { CommandModule } from "../context.ts";
import { emit, UserError } from "../output.ts";
import { mlPorts, parseThreshold } from "./ml-ports.ts";

interface PredictOptions {
  readonly name?: string;
  readonly version?: string;
  readonly threshold?: string;
  readonly json?: boolean;
}

export const registerPredict: CommandModule = (program, ctx) => {
  program
    .command("predict")
    .description("Score curated.bookings with a registered model into predictions.booking_cancellations")
    .option("--name <name>", "registry name (default booking-cancellation)")
    .option("--version <version>", "model version (default latest)")
    .option("--threshold <p>", "decision threshold (default: the model's)")
    .option("--json", "print one JSON summary object")
    .action(async (o: PredictOptions) => {
      const { predictToLake } = await import("@hotels/ml");
      const threshold = parseThreshold(o.threshold);
      const ports = await mlPorts(ctx.runtime());
      let res: Awaited<ReturnType<typeof predictToLake>>;
      try {
        res = await predictToLake(ports, { name: o.name, version: o.version, threshold });
      } catch (e) {
        if (/has no (latest )?version|must match/.test((e as Error).message))
          throw new UserError((e as Error).message);
        throw e;
      }
      emit(o, res, () => {
        const unknown = Object.entries(res.unknownCategories)
          .map(([f, u]) => `${f}: ${u.count} (e.g. ${u.examples.join(", ")})`)
          .join("; ");
        return [
          `scored ${res.rows} bookings with ${res.model.name} ${res.model.version} in ${res.seconds.toFixed(1)} s`,
          `wrote ${res.files} files in ${res.partitions} partitions → ${res.table} (snapshot v${res.snapshotVersion}; crawl: ${res.crawl.partitionsAdded} partitions added)`,
          `predicted cancellations: ${res.predictedPositive} (${((100 * res.predictedPositive) / Math.max(1, res.rows)).toFixed(1)}%), mean probability ${res.meanProbability.toFixed(4)}; AUC vs actuals (training rows included) ${res.aucVsActual.toFixed(4)}`,
          unknown ? `unknown categories scored as missing: ${unknown}` : "unknown categories: none",
        ].join("\n");
      });
    });
};
