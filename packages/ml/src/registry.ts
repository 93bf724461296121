import { type LakeLayout, newRunId, type ObjectStore } from "@hotels/lake";
import type { Booster } from "./booster.ts";
import type { ResolvedFeatureSpec } from "./features.ts";
import { metricHigherIsBetter } from "./metrics.ts";
import { packModel, unpackModel } from "./model-package.ts";

/** Where models live: the `models` zone bucket, `<name>/<version>/…` and `<name>/latest.json`. */
export interface RegistryPorts {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
}

export const MODEL_FILES = {
  model: "model.tar.gz",
  metrics: "metrics.json",
  featureSpec: "feature-spec.json",
  manifest: "training-data.json",
  report: "report.html",
  /** Written last: a version without it is incomplete (a crashed registration) and is ignored. */
  version: "version.json",
} as const;

/** A registered version's summary (`version.json`). */
export interface ModelVersionInfo {
  readonly name: string;
  readonly version: string;
  readonly createdAt: string;
  readonly objective: string;
  /** The metric promotion compares and its value on the test split. */
  readonly metric: string;
  readonly value: number;
  /** Headline metrics (test split). */
  readonly summary: Readonly<Record<string, number>>;
  /** Decision threshold of `predicted_label`. */
  readonly threshold: number;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface LatestPointer {
  readonly version: string;
  readonly metric: string;
  readonly value: number;
  readonly updatedAt: string;
}

export interface RegisterInput {
  readonly name: string;
  readonly booster: Booster;
  readonly spec: ResolvedFeatureSpec;
  readonly metrics: unknown;
  readonly manifest: unknown;
  readonly report?: string;
  readonly info: Omit<ModelVersionInfo, "name" | "version" | "createdAt">;
  /** Version id; default a sortable run id (`20261124T061500Z-3fa2c1`). */
  readonly version?: string;
  /** Move `latest` even when the new model is worse. Default false. */
  readonly force?: boolean;
}

export interface RegisterResult {
  readonly name: string;
  readonly version: string;
  readonly prefix: string;
  readonly promoted: boolean;
  /** Why `latest` moved or did not. */
  readonly reason: string;
  readonly previous?: LatestPointer;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const enc = new TextEncoder();
const dec = new TextDecoder();
const bucketOf = (p: RegistryPorts) => p.layout.bucket("models");

function checkName(name: string): void {
  if (!NAME.test(name))
    throw new Error(`model name "${name}" must match ${NAME} (lower-case letters, digits, . _ -)`);
}

async function getJson<T>(p: RegistryPorts, key: string): Promise<T | undefined> {
  if (!(await p.store.head(bucketOf(p), key))) return undefined;
  return JSON.parse(dec.decode(await p.store.get(bucketOf(p), key))) as T;
}

/** Writes a model version (artifacts first, `version.json` last), then moves `latest` to it only when it
 * is not worse than the current latest on the version's metric (higher AUC / lower log loss…). */
export async function registerModel(p: RegistryPorts, input: RegisterInput): Promise<RegisterResult> {
  checkName(input.name);
  const version = input.version ?? newRunId();
  const prefix = `${input.name}/${version}/`;
  const b = bucketOf(p);
  if (await p.store.head(b, prefix + MODEL_FILES.version))
    throw new Error(`model ${input.name} version ${version} already exists`);
  const json = (x: unknown) => enc.encode(`${JSON.stringify(x, null, 2)}\n`);
  await p.store.put(b, prefix + MODEL_FILES.model, await packModel(input.booster));
  await p.store.put(b, prefix + MODEL_FILES.metrics, json(input.metrics));
  await p.store.put(b, prefix + MODEL_FILES.featureSpec, json(input.spec));
  await p.store.put(b, prefix + MODEL_FILES.manifest, json(input.manifest));
  if (input.report !== undefined) await p.store.put(b, prefix + MODEL_FILES.report, input.report);
  const info: ModelVersionInfo = {
    ...input.info,
    name: input.name,
    version,
    createdAt: new Date().toISOString(),
  };
  await p.store.put(b, prefix + MODEL_FILES.version, json(info));

  const previous = await getJson<LatestPointer>(p, `${input.name}/latest.json`);
  const decision = promotionDecision(previous, info, input.force ?? false);
  if (decision.promoted) {
    const pointer: LatestPointer = {
      version,
      metric: info.metric,
      value: info.value,
      updatedAt: new Date().toISOString(),
    };
    await p.store.put(b, `${input.name}/latest.json`, json(pointer));
  }
  return { name: input.name, version, prefix, ...decision, ...(previous ? { previous } : {}) };
}

/** Whether a new version may replace the latest one, and why, in words. */
export function promotionDecision(
  previous: LatestPointer | undefined,
  next: Pick<ModelVersionInfo, "metric" | "value">,
  force: boolean,
): { promoted: boolean; reason: string } {
  if (!previous) return { promoted: true, reason: "first version of this model" };
  if (!Number.isFinite(next.value))
    return force
      ? { promoted: true, reason: "forced" }
      : { promoted: false, reason: `new ${next.metric} is not a number` };
  if (previous.metric !== next.metric)
    return {
      promoted: true,
      reason: `latest was compared on ${previous.metric}, this version on ${next.metric}: promoted`,
    };
  const higher = metricHigherIsBetter(next.metric);
  const notWorse = higher ? next.value >= previous.value : next.value <= previous.value;
  const cmp = `${next.metric} ${next.value.toFixed(5)} vs latest ${previous.version} ${previous.value.toFixed(5)} (${higher ? "higher" : "lower"} is better)`;
  if (notWorse) return { promoted: true, reason: `not worse: ${cmp}` };
  if (force) return { promoted: true, reason: `forced although worse: ${cmp}` };
  return { promoted: false, reason: `latest not moved: worse ${cmp}` };
}

/** Model names in the registry. */
export async function listModelNames(p: RegistryPorts): Promise<string[]> {
  const names = new Set<string>();
  for await (const o of p.store.list(bucketOf(p))) {
    const [name, second] = o.key.split("/");
    if (name && second) names.add(name);
  }
  return [...names].sort();
}

/** Complete versions of a model, oldest first, each flagged when it is `latest`. */
export async function listModelVersions(
  p: RegistryPorts,
  name: string,
): Promise<(ModelVersionInfo & { latest: boolean })[]> {
  checkName(name);
  const latest = await getJson<LatestPointer>(p, `${name}/latest.json`);
  const out: (ModelVersionInfo & { latest: boolean })[] = [];
  for await (const o of p.store.list(bucketOf(p), `${name}/`)) {
    if (!o.key.endsWith(`/${MODEL_FILES.version}`)) continue;
    const info = await getJson<ModelVersionInfo>(p, o.key);
    if (info) out.push({ ...info, latest: info.version === latest?.version });
  }
  return out.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

/** A version id, resolving `latest` (the default). Throws naming what is missing. */
export async function resolveVersion(p: RegistryPorts, name: string, version = "latest"): Promise<string> {
  checkName(name);
  if (version !== "latest") {
    if (!(await p.store.head(bucketOf(p), `${name}/${version}/${MODEL_FILES.version}`)))
      throw new Error(`model ${name} has no version ${version}`);
    return version;
  }
  const latest = await getJson<LatestPointer>(p, `${name}/latest.json`);
  if (!latest) throw new Error(`model ${name} has no latest version (train one first: hotels train)`);
  return latest.version;
}

export interface LoadedModel {
  readonly info: ModelVersionInfo;
  readonly booster: Booster;
  readonly spec: ResolvedFeatureSpec;
  readonly metrics: unknown;
  readonly manifest: unknown;
}

/** Loads a registered version (default `latest`): booster, feature spec, metrics, manifest. */
export async function loadModel(p: RegistryPorts, name: string, version = "latest"): Promise<LoadedModel> {
  const v = await resolveVersion(p, name, version);
  const prefix = `${name}/${v}/`;
  const b = bucketOf(p);
  const [info, spec, metrics, manifest, tgz] = await Promise.all([
    getJson<ModelVersionInfo>(p, prefix + MODEL_FILES.version),
    getJson<ResolvedFeatureSpec>(p, prefix + MODEL_FILES.featureSpec),
    getJson<unknown>(p, prefix + MODEL_FILES.metrics),
    getJson<unknown>(p, prefix + MODEL_FILES.manifest),
    p.store.get(b, prefix + MODEL_FILES.model),
  ]);
  if (!info || !spec)
    throw new Error(`model ${name} version ${v} is incomplete (version.json or feature-spec.json missing)`);
  const packed = await unpackModel(tgz);
  if (packed.numFeature !== spec.features.length)
    throw new Error(
      `model ${name} ${v}: ${packed.numFeature} model features vs ${spec.features.length} in its feature spec`,
    );
  // The packed model is nameless (see packModel): its names come back from the feature spec.
  const booster = { ...packed, featureNames: spec.features.map((f) => f.name) };
  return { info, booster, spec, metrics, manifest };
}

export async function latestPointer(p: RegistryPorts, name: string): Promise<LatestPointer | undefined> {
  checkName(name);
  return getJson<LatestPointer>(p, `${name}/latest.json`);
}
