import { z } from "zod";

/** Counts a step reports (rows read, loaded, rejected, files, …): names are the stage's own. */
export const Counts = z.record(z.string(), z.number());
export type Counts = z.infer<typeof Counts>;

/** What a run is asked to ingest first. `none`: nothing to ingest (a schedule or an external change). */
export const IngestInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("file"), uri: z.string().min(1) }),
  z.object({ kind: z.literal("generate"), bookings: z.int().positive(), seed: z.int() }),
  z.object({ kind: z.literal("none") }),
]);
export type IngestInput = z.infer<typeof IngestInput>;

/** Why a run started: the CLI, a schedule (EventBridge), or a file dropped in `raw/incoming/`. */
export const Trigger = z.enum(["cli", "schedule", "file", "api"]);
export type Trigger = z.infer<typeof Trigger>;

/** A lake table's committed state as a downstream step sees it. */
export const TableState = z.object({ version: z.number(), rows: z.number() });

const event = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ type: z.literal(type), runId: z.string().min(1), at: z.iso.datetime(), data });

/** A run was requested: ingest `input`, then let the flow run. */
export const RunRequested = event(
  "RunRequested",
  z.object({
    trigger: Trigger,
    input: IngestInput,
    /** Train even when there is not enough new data. */
    forceTrain: z.boolean().default(false),
  }),
);
/** The source database changed (ingest done, a schedule, or a file dropped). */
export const SourceChanged = event(
  "SourceChanged",
  z.object({ reason: z.enum(["ingest", "schedule", "file", "external"]), counts: Counts.default({}) }),
);
/** Extract + ETL committed new table snapshots. */
export const LakeUpdated = event("LakeUpdated", z.object({ tables: z.record(z.string(), TableState) }));
/** The crawler registered tables and partitions. */
export const CatalogUpdated = event(
  "CatalogUpdated",
  z.object({
    tables: z.record(z.string(), TableState),
    partitionsAdded: z.number().default(0),
    drift: z.number().default(0),
  }),
);
/** A model was trained and registered (`promoted`: the registry's `latest` moved to it). */
export const ModelRegistered = event(
  "ModelRegistered",
  z.object({
    model: z.string(),
    version: z.string(),
    promoted: z.boolean(),
    metrics: z.record(z.string(), z.number()).default({}),
    reportUri: z.string().optional(),
  }),
);
/** Batch predictions were committed to `predictions.booking_cancellations`. */
export const PredictionsWritten = event(
  "PredictionsWritten",
  z.object({ table: z.string(), version: z.number(), rows: z.number(), model: z.string() }),
);

export const PipelineEvent = z.discriminatedUnion("type", [
  RunRequested,
  SourceChanged,
  LakeUpdated,
  CatalogUpdated,
  ModelRegistered,
  PredictionsWritten,
]);
export type PipelineEvent = z.infer<typeof PipelineEvent>;
export type EventType = PipelineEvent["type"];
export type EventOf<T extends EventType> = Extract<PipelineEvent, { type: T }>;
export type EventData<T extends EventType> = EventOf<T>["data"];

/** Builds and validates an event (a malformed one is a bug: fail at the producer, naming the field). */
export function makeEvent<T extends EventType>(
  type: T,
  runId: string,
  data: EventInput<T>,
  at: Date = new Date(),
): EventOf<T> {
  const r = schemas[type].safeParse({ type, runId, at: at.toISOString(), data });
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`invalid ${type} event: ${i.path.join(".")}: ${i.message}`);
  }
  return r.data as EventOf<T>;
}

/** An event's data as a producer writes it (fields with defaults may be left out). */
export type EventInput<T extends EventType> = z.input<(typeof schemas)[T]>["data"];

const schemas = {
  RunRequested,
  SourceChanged,
  LakeUpdated,
  CatalogUpdated,
  ModelRegistered,
  PredictionsWritten,
} as const;

/** Parses an unknown value as a pipeline event; throws one line naming the field. */
export function parseEvent(value: unknown): PipelineEvent {
  const r = PipelineEvent.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`not a pipeline event: ${i.path.join(".") || "(root)"}: ${i.message}`);
  }
  return r.data;
}
