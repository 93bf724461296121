import type { CrawlReport } from "@hotels/lake";

/** What one job did in a run. */
export interface StepSummary {
  readonly job: string;
  readonly step: "extract" | "transform" | "load";
  /** `<zone>.<table>` written. */
  readonly table: string;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly rejected: number;
  /** Older versions of a key dropped by deduplication (rowsIn = rowsOut + rejected + superseded). */
  readonly superseded: number;
  readonly files: number;
  readonly bytes: number;
  readonly seconds: number;
  /** Snapshot version committed, or undefined when nothing changed (nothing written). */
  readonly version?: number;
  readonly operation?: string;
  /** Why nothing was written, when so. */
  readonly skipped?: string;
}

export interface EtlSummary {
  readonly runId: string;
  readonly full: boolean;
  readonly steps: readonly StepSummary[];
  /** Counts per source table across zones: extracted = processed + rejected (+ superseded). */
  readonly balance: readonly {
    readonly table: string;
    readonly extracted: number;
    readonly processed: number;
    readonly rejected: number;
    readonly superseded: number;
    readonly balanced: boolean;
  }[];
  /** The crawl that followed the load (when a catalog was given and something changed). */
  readonly crawl?: CrawlReport;
  readonly seconds: number;
}

export type EtlProgress = {
  readonly job: string;
  readonly phase: "start" | "done";
  readonly step?: StepSummary;
};
