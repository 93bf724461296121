import path from "node:path";
import { pathToFileURL } from "node:url";
import { type LakeZone, ZONES } from "@hotels/schema";
import type { LakeLayout } from "./port.ts";

/** The local lake: one folder per zone under `root`; URIs are `file://<root>/<zone>/<key>`. */
export function localLayout(root: string): LakeLayout {
  const abs = path.resolve(root);
  return {
    bucket: (zone) => zone,
    uri: (zone, key = "") => `${pathToFileURL(path.join(abs, zone)).href}/${key}`,
  };
}

export interface AwsLayoutOptions {
  /** Resource name prefix used by infra. */
  readonly prefix: string;
  /** Deployment environment (`dev`, `staging`, `prod`). */
  readonly env: string;
}

/** The AWS lake: bucket `<prefix>-<env>-<zone>`; URIs are `s3://<bucket>/<key>`. */
export function awsLayout(options: AwsLayoutOptions): LakeLayout {
  const bucket = (zone: LakeZone) => `${options.prefix}-${options.env}-${zone}`;
  return { bucket, uri: (zone, key = "") => `s3://${bucket(zone)}/${key}` };
}

/** Zones in lake order. */
export const zones: readonly LakeZone[] = ZONES;
