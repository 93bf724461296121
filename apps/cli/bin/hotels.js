#!/usr/bin/env node
// The package's `hotels` bin. Runs the bundled command (dist/hotels.mjs), rebuilding it first when a
// workspace source, directory or the installed dependencies are newer than it (esbuild, ~0.3 s): a
// command then starts in ~0.3 s instead of ~0.9 s under tsx, and always runs the current sources.
// HOTELS_CLI_TSX=1 runs the TypeScript entry through tsx instead (no bundle).
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const cli = path.resolve(import.meta.dirname, "..");
const root = path.resolve(cli, "../..");
const bundle = path.join(cli, "dist", "hotels.mjs");

function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

/** Newest modification under the source folders (files and folders: a deleted file changes its folder). */
function newestSource() {
  let newest = Math.max(
    mtime(path.join(root, "pnpm-lock.yaml")),
    mtime(path.join(root, "node_modules", ".modules.yaml")),
  );
  const walk = (dir) => {
    newest = Math.max(newest, mtime(dir));
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, mtime(p));
    }
  };
  walk(path.join(cli, "src"));
  walk(path.join(cli, "scripts"));
  for (const pkg of readdirSync(path.join(root, "packages"))) walk(path.join(root, "packages", pkg, "src"));
  return newest;
}

if (process.env.HOTELS_CLI_TSX === "1") {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
} else {
  if (mtime(bundle) <= newestSource()) {
    const { register } = await import("tsx/esm/api");
    const api = register({ namespace: "hotels-cli-bundle" });
    const { bundleCli } = await api.import("../scripts/bundle.ts", import.meta.url);
    await bundleCli(bundle);
    await api.unregister();
  }
  // Stack traces name the TypeScript sources when asked for (--verbose prints them).
  if (process.argv.includes("--verbose")) process.setSourceMapsEnabled(true);
  await import(pathToFileURL(bundle).href);
}
