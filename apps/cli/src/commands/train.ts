import type { RoundInfo, trainFromLake } from "@hotels/ml";
import cliProgress from "cli-progress";
import type { CommandModule } from "../context.ts";
import { emit, table, UserError } from "../output.ts";
import { mlPorts, parseThreshold } from "./ml-ports.ts";

interface TrainOptions {
  readonly objective?: string;
  readonly param: string[];
  readonly name?: string;
  readonly metric?: "auc" | "logloss" | "f1" | "accuracy" | "rmse";
  readonly threshold?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

const collect = (v: string, acc: string[]) => [...acc, v];

export const registerTrain: CommandModule = (program, ctx) => {
  program
    .command("train")
    .description("Train the booking-cancellation model from curated.bookings, evaluate it and register it")
    .option("--objective <objective>", "binary:logistic | reg:squarederror")
    .option(
      "--param <k=v>",
      "booster parameter (repeatable), e.g. max_depth=8 eta=0.1 num_round=300",
      collect,
      [],
    )
    .option("--name <name>", "registry name (default booking-cancellation)")
    .option("--metric <metric>", "metric deciding whether latest moves: auc | logloss | f1 | accuracy | rmse")
    .option("--threshold <p>", "decision threshold for predicted_label (default 0.5)")
    .option("--force", "move latest even when the new model is worse")
    .option("--json", "print one JSON summary object")
    .action(async (o: TrainOptions) => {
      const { parseParamPairs, resolveParams, trainFromLake } = await import("@hotels/ml");
      let params: Record<string, unknown>;
      try {
        params = { ...parseParamPairs(o.param), ...(o.objective ? { objective: o.objective } : {}) };
        resolveParams(params); // fail fast on a typo, before reading the lake
      } catch (e) {
        throw new UserError((e as Error).message);
      }
      const threshold = parseThreshold(o.threshold);
      const ports = await mlPorts(ctx.runtime());
      const tty = process.stderr.isTTY && !o.json;
      const bar = tty
        ? new cliProgress.SingleBar(
            {
              format: "train [{bar}] round {value}/{total} | {metric} {val} | best {best} | {secs}s",
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      let started = false;
      const onRound = (r: RoundInfo) => {
        if (!bar) return;
        const payload = {
          metric: r.metric,
          val: r.validation?.toFixed(5) ?? "-",
          best: r.bestRound,
          secs: r.seconds.toFixed(1),
        };
        if (!started) {
          bar.start(r.numRound, 0, payload);
          started = true;
        }
        bar.update(r.round, payload);
      };
      let res: Awaited<ReturnType<typeof trainFromLake>>;
      try {
        res = await trainFromLake(ports, {
          params,
          name: o.name,
          metric: o.metric,
          threshold,
          force: o.force,
          onRound,
        });
      } catch (e) {
        if (
          /has no rows|split is empty|cannot train|unknown training parameter|parameter .* is invalid/.test(
            (e as Error).message,
          )
        )
          throw new UserError((e as Error).message);
        throw e;
      } finally {
        bar?.stop();
      }
      const t = res.metrics.test;
      const summary = {
        name: res.registered.name,
        version: res.registered.version,
        promoted: res.registered.promoted,
        reason: res.registered.reason,
        location: `${ports.layout.uri("models", res.registered.prefix)}`,
        rows: res.rows,
        rounds: res.metrics.training.rounds,
        trainSeconds: res.metrics.training.seconds,
        seconds: res.seconds,
        test: t
          ? {
              auc: t.auc,
              logLoss: t.logLoss,
              accuracy: t.accuracy,
              precision: t.precision,
              recall: t.recall,
              f1: t.f1,
              threshold: t.threshold,
            }
          : res.metrics.regression?.test,
        topFeatures: res.metrics.importance.slice(0, 5).map((i) => i.feature),
      };
      emit(o, summary, () =>
        [
          `model ${summary.name} version ${summary.version} registered at ${summary.location}`,
          `latest: ${summary.promoted ? "moved" : "NOT moved"} (${summary.reason})`,
          `rows: ${res.rows.train} train, ${res.rows.validation} validation, ${res.rows.test} test; ${summary.rounds} trees in ${summary.trainSeconds.toFixed(1)} s`,
          table(
            Object.entries(summary.test ?? {}).map(([metric, value]) => ({
              metric,
              test: Number((value as number).toFixed(4)),
            })),
          ),
          `top features: ${summary.topFeatures.join(", ")}`,
          `report: ${ports.layout.uri("models", `${res.registered.prefix}report.html`)}`,
        ].join("\n"),
      );
    });
};
