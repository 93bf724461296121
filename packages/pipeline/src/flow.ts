import type { EventType } from "./events.ts";

/** The pipeline's steps, in order. */
export const STEP_NAMES = ["ingest", "etl", "crawl", "queries", "train", "predict"] as const;
export type StepName = (typeof STEP_NAMES)[number];

export interface FlowEdge {
  readonly step: StepName;
  /** The event that triggers the step. */
  readonly on: EventType;
  /** The event the step publishes when done (none: its result is only recorded). */
  readonly emits?: EventType;
  readonly description: string;
}

/** The flow as data: which event runs which step and what it publishes. Both composition roots (the CLI's
 * in-process bus and the Lambda handlers) wire exactly this table; infra reads it for the event rules. */
export const FLOW = [
  {
    step: "ingest",
    on: "RunRequested",
    emits: "SourceChanged",
    description: "load the input (file, generated data, or nothing) into the source database",
  },
  {
    step: "etl",
    on: "SourceChanged",
    emits: "LakeUpdated",
    description: "extract (incremental) → raw → processed (+ rejected) → curated",
  },
  {
    step: "crawl",
    on: "LakeUpdated",
    emits: "CatalogUpdated",
    description: "register tables and partitions; report drift",
  },
  {
    step: "queries",
    on: "CatalogUpdated",
    description: "run the named queries and record a summary",
  },
  {
    step: "train",
    on: "CatalogUpdated",
    emits: "ModelRegistered",
    description: "train the cancellation model when there is enough new data (or on schedule)",
  },
  {
    step: "predict",
    on: "ModelRegistered",
    emits: "PredictionsWritten",
    description: "batch-score curated.bookings into predictions.booking_cancellations",
  },
] as const satisfies readonly FlowEdge[];

export type Edge<S extends StepName> = Extract<(typeof FLOW)[number], { step: S }>;
