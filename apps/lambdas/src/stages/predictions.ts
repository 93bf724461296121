import type { DataFile, LakeLayout, ObjectStore, TableLog } from "@hotels/lake";
import type { Stage } from "@hotels/pipeline";
import type { QueryEngine } from "@hotels/query";
import { bookingPredictions, schemaHash } from "@hotels/schema";
import {
  dropTableSql,
  insertPredictionsSql,
  predictionFilesSql,
  transformOutputTableSql,
  transformTableName,
} from "./predictions-sql.ts";
import { refName } from "./refs.ts";

export interface PredictionsFinishOptions {
  readonly athena: QueryEngine;
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  /** Snapshot log: the step commits predictions.booking_cancellations (files Athena wrote) to it. */
  readonly tables: TableLog;
  /** `UpdateCount` of a finished INSERT (Athena's GetQueryResults), checked against the files' rows;
   * undefined when unknown. */
  readonly updateCount: (queryId: string) => Promise<number | undefined>;
  /** Decision threshold when the model's registry entry records none. Default 0.5. */
  readonly defaultThreshold?: number;
}

const TABLE = `${bookingPredictions.zone}.${bookingPredictions.name}`;

/** The threshold registered with the model (`sagemaker.json`, written when its training job finished). */
async function thresholdOf(o: PredictionsFinishOptions, model: string, version: string): Promise<number> {
  const fallback = o.defaultThreshold ?? 0.5;
  try {
    const bytes = await o.store.get(o.layout.bucket("models"), `${model}/${version}/sagemaker.json`);
    const t = (JSON.parse(new TextDecoder().decode(bytes)) as { threshold?: unknown }).threshold;
    return typeof t === "number" ? t : fallback;
  } catch {
    return fallback;
  }
}

/** PredictionsWritten from a finished transform job, the AWS way: an external CSV table over the transform
 * output, `INSERT INTO predictions.booking_cancellations SELECT … JOIN curated.bookings` (Athena writes the
 * Parquet partitions and registers them), the files it wrote committed as a table snapshot, the external
 * table dropped. Idempotent: a version whose rows are already in the table is not inserted again (a
 * redelivered or retried completion only re-reads and re-commits). */
export function athenaPredictFinish(o: PredictionsFinishOptions): NonNullable<Stage<"predict">["finish"]> {
  return async (result, ctx) => {
    const job = refName(ctx.ref);
    const { model, version } = ctx.trigger.data;
    const zone = bookingPredictions.zone;
    const transformTable = transformTableName(job);
    const files = async () =>
      (await o.athena.query(predictionFilesSql(), [version])).rows.map((r) => ({
        path: String(r.path),
        bytes: Number(r.bytes),
        rows: Number(r.n),
      }));
    await o.athena.query(transformOutputTableSql(transformTable, o.layout.uri(zone, `batch/${job}/`)));
    let written = await files();
    let insertedBy: string | undefined;
    let inserted: number | undefined;
    if (written.length === 0) {
      const end = Number(result.details?.endTime);
      const insert = await o.athena.query(
        insertPredictionsSql({
          transformTable,
          modelName: model,
          modelVersion: version,
          threshold: await thresholdOf(o, model, version),
          scoredAt: Number.isFinite(end) && end > 0 ? new Date(end) : new Date(),
        }),
      );
      insertedBy = insert.queryId;
      inserted = await o.updateCount(insert.queryId);
      written = await files();
    }
    await o.athena.query(dropTableSql(zone, transformTable));
    const rows = written.reduce((n, f) => n + f.rows, 0);
    if (inserted !== undefined && inserted !== rows)
      throw new Error(`${TABLE}: Athena inserted ${inserted} rows but the version's files hold ${rows}`);
    if (rows === 0) throw new Error(`${TABLE}: transform job ${job} scored no booking of curated.bookings`);

    // The snapshot the local predict step would commit: this version's files appended.
    const bucket = o.layout.bucket(zone);
    const key = (p: string) => {
      const prefix = `s3://${bucket}/`;
      if (!p.startsWith(prefix)) throw new Error(`${TABLE}: file ${p} is outside the bucket ${bucket}`);
      return p.slice(prefix.length);
    };
    const mine: DataFile[] = written.map((f) => {
      const k = key(f.path);
      const partition = Object.fromEntries(
        k
          .split("/")
          .map((seg) => /^([a-z_0-9]+)=([^/]*)$/.exec(seg))
          .filter((m) => m !== null)
          .map((m) => [m[1]!, decodeURIComponent(m[2]!)]),
      );
      return { key: k, rows: f.rows, bytes: f.bytes, partition };
    });
    const current = await o.tables.current(zone, bookingPredictions.name);
    const have = new Set(current?.files.map((f) => f.key) ?? []);
    const snapshot = mine.every((f) => have.has(f.key))
      ? current!
      : await o.tables.commit(zone, bookingPredictions.name, {
          runId: ctx.runId,
          files: mine.filter((f) => !have.has(f.key)),
          schemaHash: schemaHash(bookingPredictions),
          operation: "append",
        });
    return {
      kind: "done",
      data: { table: TABLE, version: snapshot.version, rows, model: `${model}/${version}` },
      counts: { rows, files: mine.length },
      note:
        insertedBy === undefined
          ? `${TABLE} already held model ${version}'s ${rows} rows`
          : `Athena INSERT ${insertedBy}: ${rows} rows from transform job ${job}`,
    };
  };
}
