import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

/** Powertools singletons, one per function (service name from POWERTOOLS_SERVICE_NAME, set by infra); the
 * tracer is in tracing.ts, loaded with the AWS composition. */
export const logger = new Logger({ serviceName: "hotels-pipeline" });
export const metrics = new Metrics({ namespace: "HotelsPipeline", serviceName: "hotels-pipeline" });
export { MetricUnit };

/** The shape of an unexpected event, for the log: keys and discriminating fields, never its payload. */
export function shapeOf(event: unknown): Record<string, unknown> {
  if (event === null || typeof event !== "object") return { type: typeof event };
  const o = event as Record<string, unknown>;
  const records = Array.isArray(o.Records) ? (o.Records as Record<string, unknown>[]) : undefined;
  return {
    keys: Object.keys(o).sort(),
    ...(typeof o.source === "string" ? { source: o.source } : {}),
    ...(typeof o["detail-type"] === "string" ? { detailType: o["detail-type"] } : {}),
    ...(records
      ? { records: records.length, eventSource: records[0]?.eventSource, eventName: records[0]?.eventName }
      : {}),
  };
}
