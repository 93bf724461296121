import type { loadModel } from "@hotels/ml";
import type { CommandModule } from "../context.ts";
import { emit, table, UserError } from "../output.ts";

export const registerModels: CommandModule = (program, ctx) => {
  const models = program.command("models").description("The model registry (models zone)");
  models
    .command("ls")
    .description("List registered models and versions")
    .argument("[name]", "only this model")
    .option("--json", "print one JSON summary object")
    .action(async (name: string | undefined, o: { json?: boolean }) => {
      const { listModelNames, listModelVersions } = await import("@hotels/ml");
      const rt = ctx.runtime();
      const ports = { store: rt.store(), layout: rt.layout() };
      const names = name ? [name] : await listModelNames(ports);
      const versions = (await Promise.all(names.map((n) => listModelVersions(ports, n)))).flat();
      emit(o, { models: versions }, () =>
        versions.length === 0
          ? "no models registered (run hotels train)"
          : table(
              versions.map((v) => ({
                name: v.name,
                version: v.version,
                latest: v.latest ? "*" : "",
                created: v.createdAt,
                objective: v.objective,
                metric: v.metric,
                value: Number(v.value.toFixed(4)),
              })),
            ),
      );
    });
  models
    .command("show")
    .description("Show one model version (default: latest)")
    .argument("[name]", "model name", "booking-cancellation")
    .argument("[version]", "version", "latest")
    .option("--json", "print one JSON summary object")
    .action(async (name: string, version: string, o: { json?: boolean }) => {
      const { loadModel, MODEL_FILES, resolveVersion } = await import("@hotels/ml");
      const rt = ctx.runtime();
      const ports = { store: rt.store(), layout: rt.layout() };
      let loaded: Awaited<ReturnType<typeof loadModel>>;
      try {
        loaded = await loadModel(ports, name, await resolveVersion(ports, name, version));
      } catch (e) {
        throw new UserError((e as Error).message);
      }
      const { info, booster, spec, manifest, metrics } = loaded;
      const prefix = `${name}/${info.version}/`;
      const summary = {
        ...info,
        trees: booster.trees.length,
        features: spec.features.map((f) =>
          f.kind === "categorical" ? `${f.name} (${f.categories?.length ?? 0} categories)` : f.name,
        ),
        manifest,
        importance: (metrics as { importance?: unknown[] } | undefined)?.importance?.slice(0, 10),
        files: Object.fromEntries(
          Object.entries(MODEL_FILES).map(([k, f]) => [k, rt.layout().uri("models", prefix + f)]),
        ),
      };
      emit(o, summary, () =>
        [
          `${info.name} ${info.version} (${info.objective}), created ${info.createdAt}, ${booster.trees.length} trees`,
          `${info.metric} = ${info.value.toFixed(4)}; threshold ${info.threshold}`,
          table(
            Object.entries(info.summary).map(([metric, value]) => ({
              metric,
              test: Number(value.toFixed(4)),
            })),
          ),
          `features (${spec.features.length}): ${summary.features.join(", ")}`,
          `report: ${summary.files.report}`,
          `model:  ${summary.files.model}`,
        ].join("\n"),
      );
    });
};
