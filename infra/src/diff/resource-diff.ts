import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The parts of a synthesized `cdk.tf.json` the diff compares. */
export interface TfDocument {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, unknown>;
  terraform?: { backend?: unknown };
}

export interface AttributeChange {
  /** Dotted path (`configuration.result_configuration.output_location`, `rule[0].id`); JSON-encoded
   * string attributes (IAM policies) are diffed inside: `policy{}.Statement[1].Action[0]`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface ResourceChange {
  readonly kind: "added" | "removed" | "changed";
  /** Terraform address (`aws_s3_bucket.lake_raw_1A2B3C4D`, `data.aws_…`): what `terraform plan` keys on. */
  readonly address: string;
  readonly type: string;
  /** Construct path below the stack (`lake/raw`). */
  readonly path: string;
  /** For `changed`: which attributes. */
  readonly attributes: readonly AttributeChange[];
}

export interface StackDiff {
  readonly stack: string;
  /** The stack itself was added or removed between the refs. */
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly changes: readonly ResourceChange[];
}

interface Entry {
  readonly address: string;
  readonly type: string;
  readonly path: string;
  readonly values: Record<string, unknown>;
}

function entries(doc: TfDocument | undefined): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const [kind, prefix] of [
    ["resource", ""],
    ["data", "data."],
  ] as const) {
    for (const [type, byName] of Object.entries(doc?.[kind] ?? {})) {
      for (const [name, raw] of Object.entries(byName)) {
        const { "//": meta, ...values } = raw as Record<string, unknown> & {
          "//"?: { metadata?: { path?: string } };
        };
        const full = meta?.metadata?.path;
        const address = `${prefix}${type}.${name}`;
        out.set(address, {
          address,
          type,
          path: full ? full.split("/").slice(1).join("/") : address,
          values,
        });
      }
    }
  }
  for (const [name, value] of Object.entries(doc?.output ?? {})) {
    const { "//": _, ...values } = value as Record<string, unknown>;
    out.set(`output.${name}`, { address: `output.${name}`, type: "output", path: `output.${name}`, values });
  }
  if (doc?.terraform?.backend)
    out.set("terraform.backend", {
      address: "terraform.backend",
      type: "backend",
      path: "terraform.backend",
      values: doc.terraform.backend as Record<string, unknown>,
    });
  return out;
}

/** Leaf values by path; JSON documents inside strings are expanded so a policy edit names its statement. */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (typeof value === "string" && /^\s*[{[]/.test(value)) {
    try {
      return flatten(JSON.parse(value), `${prefix}{}`, out);
    } catch {
      // not JSON after all: compared as a string
    }
  }
  if (Array.isArray(value)) {
    if (!value.length) out.set(prefix, []);
    value.forEach((v, i) => {
      flatten(v, `${prefix}[${i}]`, out);
    });
  } else if (value && typeof value === "object") {
    const keys = Object.keys(value);
    if (!keys.length) out.set(prefix, {});
    for (const k of keys) flatten((value as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
  return out;
}

/** Attribute-level differences of one resource. */
export function attributeChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): AttributeChange[] {
  const a = flatten(before, "", new Map());
  const b = flatten(after, "", new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
    .map((p) => ({
      path: p,
      ...(a.has(p) ? { before: a.get(p) } : {}),
      ...(b.has(p) ? { after: b.get(p) } : {}),
    }));
}

/** Resource-level difference of two synthesized documents of one stack (either may be absent). */
export function diffDocuments(base: TfDocument | undefined, head: TfDocument | undefined): ResourceChange[] {
  const a = entries(base);
  const b = entries(head);
  const changes: ResourceChange[] = [];
  for (const [address, e] of b) {
    const old = a.get(address);
    if (!old) changes.push({ kind: "added", address, type: e.type, path: e.path, attributes: [] });
    else {
      const attributes = attributeChanges(old.values, e.values);
      if (attributes.length)
        changes.push({ kind: "changed", address, type: e.type, path: e.path, attributes });
    }
  }
  for (const [address, e] of a)
    if (!b.has(address))
      changes.push({ kind: "removed", address, type: e.type, path: e.path, attributes: [] });
  const order = { removed: 0, changed: 1, added: 2 };
  return changes.sort((x, y) => order[x.kind] - order[y.kind] || x.address.localeCompare(y.address));
}

function readDocs(outdir: string | undefined): Map<string, TfDocument> {
  const docs = new Map<string, TfDocument>();
  const dir = outdir && path.join(outdir, "stacks");
  if (!dir || !existsSync(dir)) return docs;
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name, "cdk.tf.json");
    if (existsSync(file)) docs.set(name, JSON.parse(readFileSync(file, "utf8")) as TfDocument);
  }
  return docs;
}

/** Differences of every stack between two cdktf output directories (`undefined`: no stacks). */
export function diffOutdirs(baseDir: string | undefined, headDir: string | undefined): StackDiff[] {
  const base = readDocs(baseDir);
  const head = readDocs(headDir);
  return [...new Set([...base.keys(), ...head.keys()])].sort().map((stack) => {
    const changes = diffDocuments(base.get(stack), head.get(stack));
    const status = !base.has(stack)
      ? "added"
      : !head.has(stack)
        ? "removed"
        : changes.length
          ? "changed"
          : "unchanged";
    return { stack, status, changes };
  });
}
