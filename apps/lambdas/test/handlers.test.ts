import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { GlueClient } from "@aws-sdk/client-glue";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, describe, expect, it } from "vitest";
import { LambdaEnv } from "../src/env.ts";
import { FUNCTIONS } from "../src/functions.ts";
import { shapeOf } from "../src/observability.ts";
import { lambdaContext, mockS3, sample, TEST_ENV } from "./support/aws.ts";

const s3 = mockS3();
const glue = mockClient(GlueClient);
const sagemaker = mockClient(SageMakerClient);
const root = path.resolve(import.meta.dirname, "..");

beforeAll(() => {
  Object.assign(process.env, TEST_ENV);
});

type Handler = (e: unknown, c: unknown) => Promise<unknown>;
const load = async (name: string) =>
  ((await import(`../src/handlers/${name}.ts`)) as { makeHandler: () => Handler }).makeHandler();

/** For each function, an event of the right service that is NOT its own. */
const foreign: Record<string, string> = {
  "ingest-api": "scheduled-event",
  incoming: "glue-job-succeeded",
  schedule: "s3-object-created",
  "glue-job-state": "glue-crawler-succeeded",
  "glue-crawler-state": "glue-job-succeeded",
  "training-state": "sagemaker-transform-completed",
  "transform-state": "sagemaker-training-completed",
};

describe("every function", () => {
  it.each(FUNCTIONS.map((f) => f.name))(
    "%s acknowledges an unexpected event (logged with its shape) without touching AWS or throwing",
    async (name) => {
      const handler = await load(name);
      s3.mock.resetHistory();
      glue.resetHistory();
      sagemaker.resetHistory();

      for (const event of [sample("sqs-unexpected"), sample(foreign[name]!), null, "text"]) {
        const r = (await handler(event, lambdaContext())) as { ignored: boolean; reason: string };
        expect(r.ignored).toBe(true);
        expect(r.reason).toMatch(new RegExp(`^not a ${name} event: `));
      }

      expect(s3.mock.calls()).toHaveLength(0);
      expect(glue.calls()).toHaveLength(0);
      expect(sagemaker.calls()).toHaveLength(0);
    },
  );

  it("describes an event's shape without its payload", () => {
    expect(shapeOf(sample("sqs-unexpected"))).toEqual({
      keys: ["Records"],
      records: 1,
      eventSource: "aws:sqs",
      eventName: undefined,
    });
    expect(shapeOf(sample("glue-job-failed"))).toMatchObject({
      source: "aws.glue",
      detailType: "Glue Job State Change",
    });
  });
});

describe("functions.ts (what infra builds from)", () => {
  it("lists one function per handler, each with an existing entry, known env vars and scoped permissions", () => {
    const handlers = readdirSync(path.join(root, "src/handlers")).map((f) => f.replace(/\.ts$/, ""));
    expect(FUNCTIONS.map((f) => f.name).sort()).toEqual(handlers.sort());
    const known = Object.keys(LambdaEnv.shape);
    for (const f of FUNCTIONS) {
      expect(existsSync(path.join(root, f.entry)), f.entry).toBe(true);
      expect(f.zip).toBe(`dist/${f.name}.zip`);
      for (const v of f.env) expect(known).toContain(v);
      expect(f.triggers.length).toBeGreaterThan(0);
      for (const p of f.permissions) {
        expect(
          p.actions.every((a) => /^[a-z0-9-]+:[A-Za-z*]+$/.test(a)),
          p.actions.join(),
        ).toBe(true);
        // No wildcard resources except for the actions that support no scoping.
        if (p.resources.some((r) => r.kind === "*"))
          expect(p.actions.every((a) => a.startsWith("xray:"))).toBe(true);
      }
    }
  });

  it("covers the pipeline's AWS triggers", () => {
    const patterns = FUNCTIONS.flatMap((f) => f.triggers).map((t) =>
      t.kind === "eventbridge" ? t.pattern["detail-type"]![0] : t.kind,
    );
    expect(patterns.sort()).toEqual(
      [
        "Glue Crawler State Change",
        "Glue Job State Change",
        "SageMaker Training Job State Change",
        "SageMaker Transform Job State Change",
        "function-url",
        "s3",
        "schedule",
      ].sort(),
    );
  });
});
