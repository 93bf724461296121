import { spawn } from "node:child_process";

/** Wall time and peak RSS of a child command (peak RSS read from GNU time's report). */
export interface Measured {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly stdout: string;
}

/** Runs a command under `/usr/bin/time -f %M` to measure its peak RSS; throws on a non-zero exit. */
export function measure(
  cmd: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
) {
  return new Promise<Measured>((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "__PEAK_RSS_KB=%M", cmd, ...args], {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("close", (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const m = /__PEAK_RSS_KB=(\d+)/.exec(err);
      if (code !== 0)
        return reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.slice(-2000)}`));
      resolve({ seconds, peakRssMb: m ? Number(m[1]) / 1024 : Number.NaN, stdout: out });
    });
  });
}

/** Prints a small aligned table of figures. */
export function report(title: string, rows: readonly (readonly (string | number)[])[]): void {
  const fmt = (v: string | number) =>
    typeof v === "number" ? (Number.isInteger(v) ? v.toLocaleString("en") : v.toFixed(2)) : v;
  const cells = rows.map((r) => r.map(fmt));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  console.log(`\n${title}`);
  for (const r of cells)
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
}
