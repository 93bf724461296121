import { AthenaClient } from "@aws-sdk/client-athena";
import { AthenaQueryEngine } from "@hotels/query";
import { awsCore } from "../aws.ts";
import { readEnv, workgroupOf } from "../env.ts";
import { athenaUpdateCount } from "../stages/athena.ts";
import { predictFinishStage } from "../stages/finish-only.ts";
import { tracer } from "../tracing.ts";

/** The function's AWS composition from the environment: loaded on the first event it accepts. */
export const compose = () => {
  const env = readEnv();
  const core = awsCore(env);
  const client = tracer.captureAWSv3Client(new AthenaClient({ region: env.AWS_REGION }));
  const athena = new AthenaQueryEngine({ workGroup: workgroupOf(env), client });
  return {
    core,
    stages: {
      predict: predictFinishStage({
        athena,
        store: core.store,
        layout: core.layout,
        tables: core.tables,
        updateCount: athenaUpdateCount(client),
      }),
    },
  };
};

export type Deps = ReturnType<typeof compose>;
