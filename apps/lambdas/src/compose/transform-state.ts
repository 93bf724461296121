import { awsCore } from "../aws.ts";
import { readEnv } from "../env.ts";
import { predictFinishStage } from "../stages/finish-only.ts";

/** The function's AWS composition from the environment: loaded on the first event it accepts. */
export const compose = () => {
  const env = readEnv();
  const core = awsCore(env);
  return { core, stages: { predict: predictFinishStage(core.layout) } };
};

export type Deps = ReturnType<typeof compose>;
