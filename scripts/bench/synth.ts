/** `pnpm bench synth`: full synth of all three environments (wall time, CPU time, peak RSS) and `tsc` over
 * infra, beside the targets (synth ≤ 5 s and ≤ 500 MB; typecheck ≤ 10 s) and a same-run
 * reference (`node -e 0`). CPU time (user + sys) is printed too: on a shared 2-core machine the wall time
 * moves with the load average, which is printed with the figures. Options: --runs N (default 3; best kept). */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { report } from "./measure.ts";

const root = path.resolve(import.meta.dirname, "../..");
const infra = path.join(root, "infra");
const tsx = path.join(root, "node_modules/.bin/tsx");
const tsc = path.join(root, "node_modules/.bin/tsc");

interface Run {
  readonly wall: number;
  readonly cpu: number;
  readonly rssMb: number;
}

/** Wall, CPU (user + sys) and peak RSS of a command, from GNU time. */
function timed(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "__TIME=%e %U %S %M", cmd, ...args], {
      ...opts,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("close", (code) => {
      const m = /__TIME=([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      if (code !== 0 || !m)
        return reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.slice(-2000)}`));
      resolve({ wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMb: Number(m[4]) / 1024 });
    });
  });
}

async function best(runs: number, f: () => Promise<Run>): Promise<Run> {
  const all: Run[] = [];
  for (let i = 0; i < runs; i++) all.push(await f());
  return {
    wall: Math.min(...all.map((r) => r.wall)),
    cpu: Math.min(...all.map((r) => r.cpu)),
    rssMb: Math.max(...all.map((r) => r.rssMb)),
  };
}

export async function run(args: string[]): Promise<void> {
  const i = args.indexOf("--runs");
  const runs = i >= 0 ? Number(args[i + 1]) : 3;
  const out = mkdtempSync(path.join(tmpdir(), "bench-synth-"));
  try {
    const env = { ...process.env, CDKTF_OUTDIR: out };
    const load = loadavg()[0]!;
    const node = await best(runs, () => timed(process.execPath, ["-e", "0"]));
    const synth = await best(runs, () => timed(tsx, ["src/main.ts"], { cwd: infra, env }));
    const stacks = readdirSync(path.join(out, "stacks")).sort();
    const counts = stacks.map((s) => {
      const doc = JSON.parse(readFileSync(path.join(out, "stacks", s, "cdk.tf.json"), "utf8"));
      return Object.values(doc.resource as Record<string, object>).reduce(
        (n, r) => n + Object.keys(r).length,
        0,
      );
    });
    const typecheck = await best(Math.min(runs, 2), () =>
      timed(tsc, ["-p", "tsconfig.json"], { cwd: infra }),
    );
    const ratio = (v: number, target: number) => `${(v / target).toFixed(2)}×`;
    report(
      `infra: synth of ${stacks.join(", ")} (${counts.join(" / ")} resources); best of ${runs}; load average ${load.toFixed(1)}`,
      [
        ["measure", "wall s", "CPU s", "peak RSS MB", "target", "wall/target", "CPU/target", "RSS/target"],
        ["node -e 0 (reference)", node.wall, node.cpu, node.rssMb, "-", "-", "-", "-"],
        [
          "synth, 3 environments",
          synth.wall,
          synth.cpu,
          synth.rssMb,
          "≤ 5 s, ≤ 500 MB",
          ratio(synth.wall, 5),
          ratio(synth.cpu, 5),
          ratio(synth.rssMb, 500),
        ],
        [
          "tsc -p infra",
          typecheck.wall,
          typecheck.cpu,
          typecheck.rssMb,
          "≤ 10 s",
          ratio(typecheck.wall, 10),
          ratio(typecheck.cpu, 10),
          "-",
        ],
      ],
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
