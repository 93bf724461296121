import type { TableDef } from "@hotels/schema";

/** A record-level rule of a transform: a row for which `when` is TRUE is refused with `rule`. */
export interface RejectRule {
  readonly rule: string;
  /** The offending column; null when the record as a whole is wrong. */
  readonly field: string | null;
  /** Portable SQL boolean over the cleaned row (columns unqualified); may use `IN (SELECT …)`. */
  readonly when: string;
}

/** Source table → `raw`: rows whose version column moved past the raw table's watermark. */
export interface ExtractJob {
  readonly kind: "extract";
  readonly name: string;
  readonly source: TableDef;
  readonly target: TableDef;
  /** Column that orders versions (`updated_at`); the watermark is its greatest extracted value. */
  readonly versionColumn: string;
}

/** `raw` → `processed`: the latest version per key, cleaned and typed; refused rows to `rejected`. */
export interface TransformJob {
  readonly kind: "transform";
  readonly name: string;
  readonly source: TableDef;
  readonly target: TableDef;
  readonly key: string;
  readonly versionColumn: string;
  /** Column → portable SQL over the deduplicated raw row. */
  readonly clean: Readonly<Record<string, string>>;
  readonly rules: readonly RejectRule[];
  /** Portable SQL over the processed row giving its file bucket: a merge rewrites only the buckets that
   * hold changed keys (copy-on-write). */
  readonly bucket: string;
  /** Relations the rules read besides the table itself (`processed_hotels`, ...). */
  readonly reads: readonly string[];
}

/** How a load job maintains its table. */
export type LoadMode =
  /** Rebuild the whole table when any input snapshot changed (small dimensions). With `keyed`, an
   * incremental run rebuilds only the rows of the keys its changed input rows reach, merged by `key`: each
   * input relation in `links` is restricted to rows whose link column holds such a key. */
  | {
      readonly kind: "rebuild";
      readonly keyed?: {
        readonly key: string;
        /** Input relation → the column holding the target's key, and the other columns the SQL reads of it
         * (a change elsewhere in a row reaches nothing; default: every column). */
        readonly links: Readonly<
          Record<string, { readonly column: string; readonly reads?: readonly string[] }>
        >;
      };
    }
  /** Upsert by key the rows of `driver` whose version moved; rewrite only the partitions they touch. */
  | { readonly kind: "merge"; readonly key: string; readonly driver: string; readonly versionColumn: string }
  /** An aggregate of `source` (rows keyed by `key`). Incrementally: `combine` adds the aggregate of the
   * changed rows' new versions and subtracts that of their old versions (delta aggregation); otherwise the
   * partitions that changed input partitions can reach are recomputed. */
  | {
      readonly kind: "aggregate";
      readonly source: TableDef;
      readonly key: string;
      /** Columns of `source` the aggregate reads: a row that changed only elsewhere changes nothing. */
      readonly reads: readonly string[];
      /** Portable SQL over `<target>_current`, `<target>_added`, `<target>_removed` (target-shaped): the
       * rows of the keys the changes reach (the runner passes the other rows through). */
      readonly combine: string;
    };

/** `processed`/`curated` → `curated`: one portable SELECT producing the target's columns and partitions. */
export interface LoadJob {
  readonly kind: "load";
  readonly name: string;
  readonly target: TableDef;
  readonly mode: LoadMode;
  /** Relations the SQL reads (`processed_hotels`, `changed_bookings`, `curated_bookings`, ...). */
  readonly reads: readonly string[];
  readonly sql: string;
}

export type Job = ExtractJob | TransformJob | LoadJob;
