import type { Context } from "aws-lambda";
import type { z } from "zod";
import { logger, MetricUnit, metrics, shapeOf } from "./observability.ts";

/** What a handler answers for an event it does not handle: acknowledged (so it is not retried forever). */
export interface Ignored {
  readonly ignored: true;
  readonly reason: string;
}

/** A Lambda handler that parses its event with `schema` first. An event that does not match is logged
 * with its shape, counted (`UnexpectedEvent`) and acknowledged; an error from `handle` is logged and
 * rethrown (so the service's retry policy applies to transient failures). */
export function defineHandler<S extends z.ZodType, R>(spec: {
  readonly name: string;
  readonly schema: S;
  readonly handle: (event: z.infer<S>, context: Context) => Promise<R>;
}): (event: unknown, context: Context) => Promise<R | Ignored> {
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({ function: spec.name });
    try {
      const parsed = spec.schema.safeParse(event);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const reason = `not a ${spec.name} event: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`;
        logger.warn("unexpected event acknowledged without processing", { shape: shapeOf(event), reason });
        metrics.addMetric("UnexpectedEvent", MetricUnit.Count, 1);
        return { ignored: true, reason };
      }
      const t0 = Date.now();
      const result = await spec.handle(parsed.data, context);
      metrics.addMetric("HandledEvent", MetricUnit.Count, 1);
      metrics.addMetric("HandlerMillis", MetricUnit.Milliseconds, Date.now() - t0);
      return result;
    } catch (e) {
      logger.error("handler failed", e as Error);
      metrics.addMetric("HandlerError", MetricUnit.Count, 1);
      throw e;
    } finally {
      metrics.publishStoredMetrics();
      logger.removeKeys(["function"]);
    }
  };
}
