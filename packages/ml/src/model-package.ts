import { buffer as streamToBuffer } from "node:stream/consumers";
import { gunzipSync, gzipSync } from "node:zlib";
import tar from "tar-stream";
import type { Booster } from "./booster.ts";
import { fromXgboostJson, toXgboostJson } from "./model-json.ts";

/** The file name SageMaker's XGBoost container looks for inside model.tar.gz. */
export const MODEL_FILE = "xgboost-model";

/** `model.tar.gz` holding `xgboost-model` (XGBoost 1.7 JSON), as SageMaker writes and loads it. The model is
 * nameless, like one SageMaker trains from CSV, so its container can score CSV rows; the names and their
 * order live in the registry's feature-spec.json beside it. */
export async function packModel(b: Booster): Promise<Uint8Array> {
  const pack = tar.pack();
  const body = Buffer.from(toXgboostJson(b, { featureNames: false }), "utf8");
  pack.entry({ name: MODEL_FILE, size: body.length, mode: 0o644, mtime: new Date(0) }, body);
  pack.finalize();
  return gzipSync(await streamToBuffer(pack));
}

/** Reads `xgboost-model` out of a model.tar.gz. */
export async function unpackModel(tgz: Uint8Array): Promise<Booster> {
  const extract = tar.extract();
  let found: Buffer | undefined;
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        if (header.name.replace(/^\.\//, "") === MODEL_FILE) found = Buffer.concat(chunks);
        next();
      });
      stream.resume();
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  extract.end(gunzipSync(tgz));
  await done;
  if (!found) throw new Error(`model.tar.gz has no ${MODEL_FILE}`);
  return fromXgboostJson(found);
}
