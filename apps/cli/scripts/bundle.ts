/** Bundles the `hotels` command with esbuild (`dist/hotels.mjs` + lazily loaded chunks), so a command
 * starts in ~0.13 s (`--help`) instead of ~0.9 s under tsx, which transpiles and resolves ~120 workspace
 * modules on every start. The bundle is a cache of the workspace sources, not a relocatable artifact:
 * `bin/hotels.js` rebuilds it whenever a source is newer (`pnpm --filter @hotels/cli build` does it by hand).
 * - workspace code (`@hotels/*`, relative `.ts`) and most packages are bundled; `import.meta.url`/`dirname`
 *   keep the value of the source file, so files found next to a module (named queries, the Glue script,
 *   worker entries) are still found;
 * - the packages in `EXTERNAL` stay files of their own, imported by their resolved absolute path (the CLI
 *   package does not list its packages' dependencies, so bare names would not resolve from `dist/`). */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

export const CLI_ROOT = path.resolve(import.meta.dirname, "..");
export const WORKSPACE_ROOT = path.resolve(CLI_ROOT, "../..");
export const BUNDLE_PATH = path.join(CLI_ROOT, "dist", "hotels.mjs");

/** Packages left out of the bundle: DuckDB's native bindings and PGlite (they load files found next to
 * their own modules), and the AWS SDK (loaded on first use, and large). Everything else is bundled, DuckDB's
 * JavaScript API included (a no-change `hotels etl` 0.40 → 0.33 s): Node then neither resolves nor
 * pre-parses hundreds of package files on each start. A bundled CommonJS package imported with
 * `await import()` yields only a default export, so the workspace loads DuckDB lazily through a module of
 * its own (`@hotels/lake`'s `duckdb.ts`). */
const EXTERNAL = /^(@duckdb\/node-bindings|@electric-sql\/pglite|@aws-sdk\/|@smithy\/|pg-native$)/;

const workspaceModules: Plugin = {
  name: "workspace-modules",
  setup(b) {
    b.onResolve({ filter: /^@hotels\/[a-z-]+$/ }, (args) => ({
      path: path.join(WORKSPACE_ROOT, "packages", args.path.slice("@hotels/".length), "src", "index.ts"),
    }));
    // Packages that must stay files of their own: external, by the path the importer would resolve
    // (pluginData marks the inner call; the CLI package does not list its packages' dependencies).
    b.onResolve({ filter: EXTERNAL }, async (args) => {
      if (args.pluginData === "inner") return undefined;
      const r = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "inner",
      });
      // Not installed (pg's optional pg-native): left as is, as pg itself only requires it on demand.
      return { path: r.errors.length ? args.path : r.path, external: true };
    });
    // pg probes for Cloudflare Workers when it loads, by constructing a fetch `Response` — which loads
    // undici, ~17 ms of every start on Node 20. The CLI runs on Node only: the probe is answered `false`.
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const probe = "if (isCloudflareRuntime()) {";
      // A pg release that changed the probe is bundled as it is (slower start, same behaviour).
      return { contents: source.replace(probe, "if (false) {"), loader: "js" };
    });
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = readFileSync(args.path, "utf8")
        .replaceAll("import.meta.dirname", JSON.stringify(path.dirname(args.path)))
        .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href));
      return { contents: source, loader: "ts" };
    });
  },
};

/** Writes the bundle: the entry, and a chunk per lazily imported part (`await import(…)` stays lazy, so
 * `hotels --help` loads neither DuckDB nor PostgreSQL). Chunks have content-hashed names and are written
 * first, the entry last and atomically: concurrent `hotels` starts may build at once. Chunks no build
 * wrote within the last hour are removed (a command still running may need the ones just replaced). */
export async function bundleCli(outfile = BUNDLE_PATH): Promise<void> {
  const outdir = path.dirname(outfile);
  const result = await build({
    entryPoints: { [path.basename(outfile, ".mjs")]: path.join(CLI_ROOT, "src", "main.ts") },
    outdir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    write: false,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "linked",
    logLevel: "error",
    // Bundled CommonJS modules call require() for Node built-ins; ESM has no require of its own.
    banner: {
      js: 'import { createRequire as __hotelsRequire } from "node:module"; const require = __hotelsRequire(import.meta.url);',
    },
    plugins: [workspaceModules],
  });
  mkdirSync(path.join(outdir, "chunks"), { recursive: true });
  const last = (f: { path: string }) => (f.path === outfile ? 2 : f.path === `${outfile}.map` ? 1 : 0);
  const files = [...result.outputFiles].sort((a, b) => last(a) - last(b));
  for (const f of files) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  const written = new Set(files.map((f) => f.path));
  const chunks = path.join(outdir, "chunks");
  for (const name of readdirSync(chunks)) {
    const p = path.join(chunks, name);
    if (!written.has(p) && Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const t0 = performance.now();
  await bundleCli();
  console.log(
    `${path.relative(process.cwd(), BUNDLE_PATH)} in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
  );
}
