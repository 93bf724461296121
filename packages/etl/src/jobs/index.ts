import { extractJobs } from "./extract.ts";
import { loadJobs } from "./load.ts";
import { transformJobs } from "./transform.ts";
import type { Job } from "./types.ts";

export type * from "./types.ts";
export { extractJobs, loadJobs, transformJobs };

/** Every job, in run order: extracts, transforms (foreign-key order), loads. */
export const jobs: readonly Job[] = [...extractJobs, ...transformJobs, ...loadJobs];

/** The steps `--job` accepts besides a job's own name. */
export const STEPS = ["extract", "transform", "load"] as const;

/** Jobs selected by names: a step (`extract`), a job (`load.bookings`) or a table (`bookings`, all its
 * steps). Throws on an unknown name, listing the valid ones. */
export function selectJobs(names?: readonly string[]): readonly Job[] {
  if (!names?.length) return jobs;
  const picked = new Set<Job>();
  for (const n of names) {
    const m = jobs.filter((j) => j.name === n || j.kind === n || j.name.endsWith(`.${n}`));
    if (!m.length)
      throw new Error(
        `unknown ETL job ${JSON.stringify(n)}; one of: ${[...STEPS, ...jobs.map((j) => j.name)].join(", ")}`,
      );
    for (const j of m) picked.add(j);
  }
  return jobs.filter((j) => picked.has(j));
}
