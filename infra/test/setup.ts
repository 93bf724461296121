import { Testing } from "cdktf";
import { expect } from "vitest";

// cdktf's matchers register themselves on a global jest-style `expect`; vitest's has the same `extend`.
(globalThis as { expect?: unknown }).expect = expect;
Testing.setupJest();

interface CdktfMatchers<R = unknown> {
  toHaveResource(resourceType: { tfResourceType: string }): R;
  toHaveResourceWithProperties(
    resourceType: { tfResourceType: string },
    properties: Record<string, unknown>,
  ): R;
  toHaveDataSource(dataSourceType: { tfResourceType: string }): R;
  toHaveDataSourceWithProperties(
    dataSourceType: { tfResourceType: string },
    properties: Record<string, unknown>,
  ): R;
  toHaveProviderWithProperties(
    providerType: { tfResourceType: string },
    properties: Record<string, unknown>,
  ): R;
}
declare module "vitest" {
  interface Assertion<T> extends CdktfMatchers<T> {}
}
