/** One resource of a synthesized Terraform JSON document. */
export interface TfResource {
  /** `aws_s3_bucket` */
  readonly type: string;
  /** Logical name (`lake_raw_1A2B3C4D`). */
  readonly name: string;
  /** Terraform address: `<type>.<name>`. */
  readonly address: string;
  /** Construct path below the stack (`lake/raw`), from cdktf's metadata; the address when absent. */
  readonly path: string;
  /** Arguments as synthesized (snake_case), metadata removed. */
  readonly values: Record<string, unknown>;
}

/** A resource and what is wrong with it. */
export type Violation = readonly [TfResource, string];

/** A violation: which resource breaks which rule, and how. */
export interface Finding {
  readonly rule: string;
  readonly address: string;
  readonly path: string;
  readonly message: string;
}

export type Severity = "high" | "medium" | "low";

/** A policy rule over one synthesized stack. */
export interface PolicyRule {
  /** Kebab-case id, also the file name (`s3-tls-only`). */
  readonly id: string;
  readonly title: string;
  /** The rule it is drawn from: cdk-nag AwsSolutions ids and checkov ids. */
  readonly source: string;
  readonly severity: Severity;
  /** Messages for each non-compliant resource (`[resource, message]`); empty when compliant. */
  check(stack: import("./stack-view.ts").StackView): readonly Violation[];
}

/** A deliberate exception: the rule does not apply to the resources at `path` (a construct path below the
 * stack, `*` matching within a segment) for the written reason. */
export interface Suppression {
  readonly rule: string;
  readonly path: string;
  /** Why this is safe: required, at least a sentence. */
  readonly reason: string;
}
