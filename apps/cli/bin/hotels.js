#!/usr/bin/env node
// The package's `hotels` bin: runs the TypeScript entry through tsx's loader (no build step needed).
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
