import { Tracer } from "@aws-lambda-powertools/tracer";

/** Powertools tracer (X-Ray), loaded with the AWS composition — not at import — because the X-Ray SDK
 * is a third of a handler's import time and an unexpected event needs none of it. */
export const tracer = new Tracer({ serviceName: "hotels-pipeline" });
