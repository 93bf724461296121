import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

/** One in-memory DuckDB for a run. Temp tables spill to `tempDir` so memory stays bounded. */
export class Engine {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
  ) {}

  static async open(options: { readonly tempDir?: string; readonly memoryLimit?: string } = {}) {
    const instance = await DuckDBInstance.create(":memory:", {
      ...(options.tempDir ? { temp_directory: options.tempDir } : {}),
      ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
    });
    const conn = await instance.connect();
    const e = new Engine(instance, conn);
    // Timestamps are UTC instants (schema convention); COPY text carries an offset we convert from.
    await e.run("SET TimeZone = 'UTC'");
    await e.run("SET preserve_insertion_order = false");
    // Shims that make the portable subset run here (see README.md, "Portable SQL").
    await e.run("CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)");
    return e;
  }

  async run(sql: string): Promise<void> {
    const t0 = performance.now();
    try {
      await this.conn.run(sql);
      trace(sql, t0);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n-- in SQL:\n${sql.slice(0, 2000)}`);
    }
  }

  async rows<R = Record<string, unknown>>(sql: string): Promise<R[]> {
    const t0 = performance.now();
    try {
      const r = await this.conn.runAndReadAll(sql);
      trace(sql, t0);
      return r.getRowObjectsJS() as R[];
    } catch (e) {
      throw new Error(`${(e as Error).message}\n-- in SQL:\n${sql.slice(0, 2000)}`);
    }
  }

  async scalar<T = unknown>(sql: string): Promise<T> {
    const rows = await this.rows(sql);
    const first = rows[0];
    return (first ? Object.values(first)[0] : undefined) as T;
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }

  /** Closes the connection only: the instance and its memory go with the process (see
   * `LocalEtlOptions.releaseEngine`). */
  abandon(): void {
    this.conn.closeSync();
  }
}

/** `HOTELS_ETL_TRACE=1`: each statement's seconds and its first 160 characters on stderr (`full`: the
 * whole statement), to find where a run spends its time. */
function trace(sql: string, t0: number): void {
  const mode = process.env.HOTELS_ETL_TRACE;
  if (!mode) return;
  const text = sql.replace(/\s+/g, " ");
  process.stderr.write(
    `${((performance.now() - t0) / 1000).toFixed(3)} s  ${mode === "full" ? text : text.slice(0, 160)}\n`,
  );
}

/** A DuckDB string literal (paths, watermarks): DuckDB does not treat backslashes specially. */
export const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** `read_parquet([...])` over files, or an empty relation of the given columns when there are none. */
export function parquetScan(
  paths: readonly string[],
  options: { hive?: boolean; filename?: boolean } = {},
): string {
  const opts = [
    ...(options.hive ? ["hive_partitioning = true"] : ["hive_partitioning = false"]),
    ...(options.filename ? ["filename = true"] : []),
  ];
  return `read_parquet([${paths.map(q).join(", ")}]${opts.length ? `, ${opts.join(", ")}` : ""})`;
}
