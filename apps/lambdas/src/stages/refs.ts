/** Refs of steps waiting on an external job: the stage that starts the job and the state-change handler
 * that finishes it build the same one. */
export const glueJobRef = (jobRunId: string) => `glue-job:${jobRunId}`;
export const crawlerRef = (crawlerName: string) => `glue-crawler:${crawlerName}`;
export const trainingRef = (name: string) => `training-job:${name}`;
export const transformRef = (name: string) => `transform-job:${name}`;
/** The job name inside a ref. */
export const refName = (ref: string) => ref.slice(ref.indexOf(":") + 1);
