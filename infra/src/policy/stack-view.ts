import type { TfResource } from "./types.ts";

/** A synthesized stack (`cdk.tf.json`) as rules see it: resources by type, references between them, and
 * parsed IAM policy documents. */
export class StackView {
  readonly resources: readonly TfResource[];
  private readonly byType = new Map<string, TfResource[]>();

  constructor(
    /** Stack (environment) name. */
    readonly name: string,
    readonly doc: { resource?: Record<string, Record<string, Record<string, unknown>>> },
  ) {
    const all: TfResource[] = [];
    for (const [type, byName] of Object.entries(doc.resource ?? {})) {
      for (const [name, raw] of Object.entries(byName)) {
        const { "//": meta, ...values } = raw as Record<string, unknown> & {
          "//"?: { metadata?: { path?: string } };
        };
        const fullPath = meta?.metadata?.path;
        const r: TfResource = {
          type,
          name,
          address: `${type}.${name}`,
          path: fullPath ? fullPath.split("/").slice(1).join("/") : `${type}.${name}`,
          values,
        };
        all.push(r);
        this.byType.set(type, [...(this.byType.get(type) ?? []), r]);
      }
    }
    this.resources = all;
  }

  /** Resources of a type. */
  of(type: string): readonly TfResource[] {
    return this.byType.get(type) ?? [];
  }

  /** Resources of `type` whose `attribute` references `target` (`${<target address>.…}`). */
  attachedTo(type: string, target: TfResource, attribute = "bucket"): TfResource[] {
    return this.of(type).filter((r) => refersTo(r.values[attribute], target));
  }
}

/** Whether a value (or any string inside it) references a resource's attributes. */
export function refersTo(value: unknown, target: TfResource): boolean {
  const needle = `\${${target.address}.`;
  return JSON.stringify(value ?? null).includes(needle);
}

/** The first element of a nested block (cdktf emits single blocks as objects, lists as arrays). */
export function block(value: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(value)) return value[0] as Record<string, unknown> | undefined;
  if (value && typeof value === "object") return value as Record<string, unknown>;
  return undefined;
}

/** Every element of a block list (a single object counts as one). */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value as Record<string, unknown>[];
  if (value && typeof value === "object") return [value as Record<string, unknown>];
  return [];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Statements of a JSON policy document attribute; throws naming the resource when it is not JSON (an
 * unreadable policy must not pass a check silently). */
export function statements(r: TfResource, attribute = "policy"): PolicyStatement[] {
  const raw = r.values[attribute];
  if (raw === undefined) return [];
  let doc: { Statement?: PolicyStatement | PolicyStatement[] };
  try {
    doc = typeof raw === "string" ? JSON.parse(raw) : (raw as typeof doc);
  } catch {
    throw new Error(`${r.address}: ${attribute} is not a JSON policy document`);
  }
  return [doc.Statement ?? []].flat();
}

export const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());

/** Identity policies of the stack: inline role policies and managed policies. */
export function identityPolicies(stack: StackView): TfResource[] {
  return [
    ...stack.of("aws_iam_role_policy"),
    ...stack.of("aws_iam_policy"),
    ...stack.of("aws_iam_user_policy"),
  ];
}
