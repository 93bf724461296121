import { Testing } from "cdktf";
import type { Construct } from "constructs";

/** Synthesizes constructs made in `fn` inside a test stack: the JSON string cdktf's matchers take, and
 * the parsed document. */
export function synth(fn: (scope: Construct) => void): { json: string; doc: TfDoc } {
  const json = Testing.synthScope(fn);
  return { json, doc: JSON.parse(json) as TfDoc };
}

export interface TfDoc {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  terraform?: Record<string, unknown>;
  provider?: Record<string, unknown>;
  output?: Record<string, unknown>;
}

/** Every resource of a type in a document. */
export function resources(doc: TfDoc, type: string): Record<string, unknown>[] {
  return Object.values(doc.resource?.[type] ?? {});
}

export const ENV = { namePrefix: "hotels-test", account: "123456789012", region: "eu-west-1" } as const;
export const KEY = "arn:aws:kms:eu-west-1:123456789012:key/test";
