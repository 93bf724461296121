/** Bundles each Lambda function (src/functions.ts) with esbuild — ESM, minified, tree-shaken AWS SDK v3,
 * platform node, target node22, source maps — into dist/<name>.zip (`index.mjs` + `index.mjs.map`).
 * Fails when an embedded engine (DuckDB, PGlite, pg) reaches a bundle: on AWS the handlers use AWS
 * adapters only. Usage: tsx scripts/build.ts [name…] */
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build, type Plugin } from "esbuild";
import yazl from "yazl";
import { FUNCTIONS } from "../src/functions.ts";

const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "dist");
/** Local-only engines: external so esbuild need not resolve native bindings; a bundle that still imports
 * one after tree-shaking fails the build. */
const LOCAL_ONLY = ["@duckdb/node-api", "@electric-sql/pglite", "pg", "pg-copy-streams", "cli-progress"];
const FORBIDDEN = new RegExp(
  `from\\s*"(${LOCAL_ONLY.map((p) => p.replace(/[/.]/g, "\\$&")).join("|")})"|import\\("(${LOCAL_ONLY.join("|")})"\\)`,
);

/** The workspace packages' modules have no import side effects: let esbuild drop what a handler does not
 * use (e.g. the DuckDB engine next to the Athena one in @hotels/query). */
const workspacePure: Plugin = {
  name: "workspace-side-effect-free",
  setup(b) {
    const workspace = path.resolve(root, "..", "..");
    b.onResolve({ filter: /^@hotels\/[a-z-]+$/ }, (args) => ({
      path: path.join(workspace, "packages", args.path.slice("@hotels/".length), "src", "index.ts"),
      sideEffects: false,
    }));
    b.onResolve({ filter: /^\.\.?\/.*\.ts$/ }, (args) =>
      args.importer.includes("node_modules") || !args.importer.startsWith(workspace)
        ? undefined
        : { path: path.resolve(args.resolveDir, args.path), sideEffects: false },
    );
  },
};

/** `@hotels/lake` loads DuckDB on first use through `src/duckdb.ts` (the local crawler's Parquet footer
 * reader). esbuild emits a chunk for every `await import()` target, reached or not, so that module is a
 * stub here: on AWS the Glue crawler reads the footers and a handler never gets there (if one did, it would
 * say so instead of failing to load a native module). */
const localDuckdbStubbed: Plugin = {
  name: "local-duckdb-stubbed",
  setup(b) {
    b.onResolve({ filter: /^\.\/duckdb\.ts$/ }, (args) =>
      args.importer.endsWith(path.join("packages", "lake", "src", "parquet-schema.ts"))
        ? { path: args.path, namespace: "local-duckdb-stub" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "local-duckdb-stub" }, () => ({
      contents: `export const DuckDBInstance = { create() { throw new Error("DuckDB is not bundled into Lambda functions (local runtime only)"); } };`,
      loader: "js",
    }));
  },
};

/** zod 4 re-exports every locale (~250 KB minified) through a namespace esbuild cannot shake; the handlers
 * only ever format messages in English (zod's default), so the locale index is the English one alone. */
const zodEnglishOnly: Plugin = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /node_modules\/zod\/v4\/(classic|core)$/.test(args.resolveDir)
        ? { path: path.join(args.resolveDir, "..", "locales", "index.js"), namespace: "zod-locales" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), "en.js"))};`,
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
  },
};

async function zip(files: Record<string, Uint8Array>, out: string) {
  const z = new yazl.ZipFile();
  // Fixed mtime: the same bundle gives the same zip (stable TerraformAsset hashes).
  for (const [name, data] of Object.entries(files))
    z.addBuffer(Buffer.from(data), name, { mtime: new Date(0), mode: 0o644 });
  z.end();
  await new Promise<void>((resolve, reject) =>
    z.outputStream.pipe(createWriteStream(out)).on("close", resolve).on("error", reject),
  );
}

export async function buildFunction(name: string) {
  const fn = FUNCTIONS.find((f) => f.name === name);
  if (!fn) throw new Error(`unknown function ${name}; known: ${FUNCTIONS.map((f) => f.name).join(", ")}`);
  const result = await build({
    entryPoints: [path.join(root, fn.entry)],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    minify: true,
    treeShaking: true,
    sourcemap: "external",
    sourcesContent: false,
    // The handler's shell is index.mjs; its AWS composition is a chunk it imports on the first event.
    outdir: "/out",
    splitting: true,
    entryNames: "index",
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    write: false,
    metafile: true,
    mainFields: ["module", "main"],
    conditions: ["import", "module"],
    legalComments: "none",
    logLevel: "warning",
    // CommonJS dependencies still call require() for node built-ins.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    external: LOCAL_ONLY,
    plugins: [localDuckdbStubbed, workspacePure, zodEnglishOnly],
  });
  const code: Record<string, Uint8Array> = {};
  const maps: Record<string, Uint8Array> = {};
  for (const f of result.outputFiles) {
    const rel = path.relative("/out", f.path);
    (rel.endsWith(".map") ? maps : code)[rel] = f.contents;
  }
  for (const [rel, bytes] of Object.entries(code)) {
    const bad = FORBIDDEN.exec(new TextDecoder().decode(bytes));
    if (bad) throw new Error(`${name}: ${rel} still imports a local-only engine: ${bad[0]}`);
  }
  mkdirSync(dist, { recursive: true });
  const out = path.join(dist, `${name}.zip`);
  // The maps stay next to the zip, not in it: they are 1.5× the code, and Lambda only reads them with
  // --enable-source-maps (slower cold starts); stack traces are mapped offline from dist/<name>.maps/.
  await zip(code, out);
  for (const [rel, bytes] of Object.entries(maps)) {
    const file = path.join(dist, `${name}.maps`, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
  const bundleBytes = Object.values(code).reduce((a, b) => a + b.length, 0);
  const importBytes = code["index.mjs"]?.length ?? 0;
  return { name, zip: out, bundleBytes, importBytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv.slice(2);
  rmSync(dist, { recursive: true, force: names.length === 0 });
  mkdirSync(dist, { recursive: true });
  for (const name of names.length > 0 ? names : FUNCTIONS.map((f) => f.name)) {
    const r = await buildFunction(name);
    console.log(
      `${r.name.padEnd(20)} ${(r.bundleBytes / 1024).toFixed(0).padStart(6)} KB bundle → ${path.relative(root, r.zip)}`,
    );
  }
}
