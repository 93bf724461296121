import { GlueClient } from "@aws-sdk/client-glue";
import { openDataApi } from "@hotels/source";
import { awsCore } from "../aws.ts";
import { lazy, pipelineFor, runSummary } from "../compose.ts";
import { readEnv, required } from "../env.ts";
import { IncomingObjectEvent } from "../events.ts";
import { defineHandler } from "../handler.ts";
import { logger, tracer } from "../observability.ts";
import { glueEtlStage } from "../stages/glue.ts";
import { dataApiIngestStage } from "../stages/ingest.ts";

export const INCOMING_PREFIX = "incoming/";

/** The AWS composition from the environment (tests pass their own). */
export const defaultDeps = () => {
  const env = readEnv();
  const core = awsCore(env);
  const glue = tracer.captureAWSv3Client(new GlueClient({ region: env.AWS_REGION }));
  const source = async () =>
    openDataApi({
      resourceArn: required(env, "DB_RESOURCE_ARN"),
      secretArn: required(env, "DB_SECRET_ARN"),
      database: env.DB_NAME,
    });
  return {
    core,
    stages: {
      ingest: dataApiIngestStage({ store: core.store, source }),
      etl: glueEtlStage({ glue, jobName: required(env, "GLUE_JOB_NAME"), tables: core.tables }),
    },
  };
};

/** S3 ObjectCreated under `raw/incoming/` → a pipeline run per file: ingest it into RDS (Data API),
 * then start the ETL job — the same flow `hotels pipeline watch` runs locally. */
export const makeHandler = (deps: () => ReturnType<typeof defaultDeps> = lazy(defaultDeps)) =>
  defineHandler({
    name: "incoming",
    schema: IncomingObjectEvent,
    async handle(event, context) {
      const { core, stages } = deps();
      const runs = [];
      for (const r of event.Records) {
        const key = r.s3.object.key;
        if (
          !r.eventName.startsWith("ObjectCreated:") ||
          !key.startsWith(INCOMING_PREFIX) ||
          key.endsWith("/")
        ) {
          logger.warn("S3 record outside raw/incoming/ ignored", { eventName: r.eventName, key });
          continue;
        }
        const uri = `s3://${r.s3.bucket.name}/${key}`;
        const run = await pipelineFor(core, stages, context).run({
          trigger: "file",
          input: { kind: "file", uri },
        });
        runs.push({ uri, ...runSummary(run) });
      }
      return { runs };
    },
  });

export const handler = makeHandler();
