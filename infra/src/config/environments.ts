import { z } from "zod";

/** Log retention values CloudWatch accepts (days). */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653,
] as const;

/** One deployment environment. Each environment is its own AWS account, so names inside it (Glue database
 * = zone name) need no environment suffix; globally unique names (buckets) carry `<prefix>-<env>`. */
export const EnvironmentConfig = z.object({
  /** Stack name and name component: `dev`, `staging`, `prod`. */
  name: z.enum(["dev", "staging", "prod"]),
  /** The AWS account this environment lives in (the provider refuses any other). */
  account: z.string().regex(/^\d{12}$/, "a 12-digit AWS account id"),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as eu-west-1"),
  /** Prefix of globally unique names: buckets are `<prefix>-<env>-<zone>`. */
  prefix: z.string().regex(/^[a-z][a-z0-9-]{1,24}$/),
  /** GitHub repository (`owner/name`) whose Actions may assume the plan and deploy roles (OIDC). */
  github: z.object({ repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/) }),
  /** Terraform state: S3 bucket (created by the bootstrap stack) with S3-native lock files. */
  state: z.object({ bucket: z.string().min(3), key: z.string().min(1) }),
  network: z.object({
    cidr: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/),
    /** Availability zones used (one private subnet each); Aurora needs ≥ 2. */
    azCount: z.number().int().min(2).max(3),
  }),
  database: z.object({
    minAcu: z.number().min(0).max(256),
    maxAcu: z.number().min(1).max(256),
    backupRetentionDays: z.number().int().min(1).max(35),
  }),
  glue: z.object({
    workerType: z.enum(["G.1X", "G.2X", "G.4X"]),
    numberOfWorkers: z.number().int().min(2),
    timeoutMinutes: z.number().int().min(1),
  }),
  athena: z.object({ bytesScannedCutoffPerQuery: z.number().int().min(10_485_760) }),
  lake: z.object({
    rawToInfrequentAccessDays: z.number().int().min(30),
    rawToGlacierDays: z.number().int().min(31),
    queryResultsExpireDays: z.number().int().min(1),
    noncurrentVersionExpireDays: z.number().int().min(1),
  }),
  functions: z.object({
    /** Memory of every function. Undefined: each function's own (`apps/lambdas` functions.ts). */
    memoryMb: z.number().int().min(128).max(10_240).optional(),
    /** EventBridge schedule of the scheduled pipeline run. Undefined: the function's own. */
    schedule: z
      .string()
      .regex(/^(rate|cron)\(.+\)$/)
      .optional(),
  }),
  sageMaker: z.object({
    /** S3 key (in the models bucket) of the registered `model.tar.gz`; the model and endpoint are created
     * only once it is set, because SageMaker validates the artifact at creation time. */
    modelArtifactKey: z.string().optional(),
    memorySizeMb: z.number().int().min(1024).max(6144),
    maxConcurrency: z.number().int().min(1).max(200),
  }),
  logRetentionDays: z
    .number()
    .int()
    .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), `one of ${RETENTION_DAYS.join(", ")}`),
  /** Protects the database and the KMS keys from deletion; on in prod. */
  deletionProtection: z.boolean(),
  /** Who receives alarm notifications (SNS e-mail subscription, confirmed by the recipient). */
  alarmEmail: z.email(),
});
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

const common = {
  prefix: "hotels",
  github: { repository: "example-org/hotels-pipeline" },
  region: "eu-west-1",
  glue: { workerType: "G.1X", numberOfWorkers: 2, timeoutMinutes: 60 },
  athena: { bytesScannedCutoffPerQuery: 10 * 1024 ** 3 },
  lake: {
    rawToInfrequentAccessDays: 30,
    rawToGlacierDays: 90,
    queryResultsExpireDays: 7,
    noncurrentVersionExpireDays: 30,
  },
  functions: {},
  sageMaker: { memorySizeMb: 2048, maxConcurrency: 5 },
} as const;

const stateOf = (account: string, env: string) => ({
  bucket: `hotels-tfstate-${account}`,
  key: `hotels-pipeline/${env}.tfstate`,
});

/** The three environments. Account ids are placeholders: set them to your accounts before deploying. */
export const environments: Record<EnvironmentConfig["name"], EnvironmentConfig> = {
  dev: EnvironmentConfig.parse({
    ...common,
    name: "dev",
    account: "111111111111",
    state: stateOf("111111111111", "dev"),
    network: { cidr: "10.10.0.0/16", azCount: 2 },
    database: { minAcu: 0, maxAcu: 2, backupRetentionDays: 1 },
    logRetentionDays: 14,
    deletionProtection: false,
    alarmEmail: "data-platform-dev@example.com",
  }),
  staging: EnvironmentConfig.parse({
    ...common,
    name: "staging",
    account: "222222222222",
    state: stateOf("222222222222", "staging"),
    network: { cidr: "10.20.0.0/16", azCount: 2 },
    database: { minAcu: 0.5, maxAcu: 4, backupRetentionDays: 7 },
    logRetentionDays: 30,
    deletionProtection: false,
    alarmEmail: "data-platform-staging@example.com",
  }),
  prod: EnvironmentConfig.parse({
    ...common,
    name: "prod",
    account: "333333333333",
    state: stateOf("333333333333", "prod"),
    network: { cidr: "10.30.0.0/16", azCount: 3 },
    database: { minAcu: 0.5, maxAcu: 16, backupRetentionDays: 35 },
    glue: { ...common.glue, numberOfWorkers: 10 },
    functions: { schedule: "rate(6 hours)" },
    logRetentionDays: 365,
    deletionProtection: true,
    alarmEmail: "data-platform-oncall@example.com",
  }),
};

/** Validated config of one environment; throws a one-line error naming the field on a bad override. */
export function environmentConfig(
  name: string,
  overrides: Partial<EnvironmentConfig> = {},
): EnvironmentConfig {
  const base = environments[name as EnvironmentConfig["name"]];
  if (!base)
    throw new Error(`unknown environment "${name}" (one of ${Object.keys(environments).join(", ")})`);
  const r = EnvironmentConfig.safeParse({ ...base, ...overrides });
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`environment ${name}: ${i.path.join(".")}: ${i.message}`);
  }
  return r.data;
}
