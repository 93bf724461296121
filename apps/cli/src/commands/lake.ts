import { type LakeLayout, type ObjectStore, type Snapshot, TableLog, type VacuumResult } from "@hotels/lake";
import { type LakeZone, ZONES } from "@hotels/schema";
import type { CommandModule } from "../context.ts";
import { emit, table, UserError } from "../output.ts";

interface TableSummary {
  readonly table: string;
  readonly version: number;
  readonly rows: number;
  readonly files: number;
  /** Rows in merge-on-read delta files (0: base files only). */
  readonly deltaRows: number;
  readonly bytes: number;
  readonly operation: Snapshot["operation"];
  readonly runId: string;
  readonly committedAt: string;
}

const zoneArg = (z: string): LakeZone => {
  if (!(ZONES as readonly string[]).includes(z))
    throw new UserError(`unknown zone ${JSON.stringify(z)}: one of ${ZONES.join(", ")}`);
  return z as LakeZone;
};

async function tablesOf(log: TableLog, zone: LakeZone): Promise<TableSummary[]> {
  const out: TableSummary[] = [];
  for (const name of await log.tables(zone)) {
    const s = await log.current(zone, name);
    if (!s) continue;
    out.push({
      table: s.table,
      version: s.version,
      rows: s.rows,
      files: s.files.length,
      deltaRows: s.files.reduce((n, f) => n + (f.role === "delta" ? f.rows : 0), 0),
      bytes: s.files.reduce((n, f) => n + f.bytes, 0),
      operation: s.operation,
      runId: s.runId,
      committedAt: s.committedAt,
    });
  }
  return out;
}

async function zoneObjects(store: ObjectStore, layout: LakeLayout, zone: LakeZone, prefix?: string) {
  const objects: { key: string; size: number; lastModified: Date }[] = [];
  for await (const o of store.list(layout.bucket(zone), prefix)) objects.push(o);
  return objects;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 3 : 1)} MB`;

export const registerLake: CommandModule = (program, ctx) => {
  const lake = program.command("lake").description("Inspect the data lake (lake ls [zone], lake vacuum)");

  lake
    .command("ls [zone]")
    .description(
      "zones (objects, bytes, tables) or one zone's tables (snapshot version/rows/files) and objects",
    )
    .option("--prefix <prefix>", "only keys under this prefix (with a zone)")
    .option("--limit <n>", "objects listed in the human output (with a zone)", "50")
    .option("--json", "print one JSON summary object")
    .action(
      async (zoneName: string | undefined, opts: { json?: boolean; prefix?: string; limit: string }) => {
        const rt = ctx.runtime();
        try {
          const store = rt.store();
          const layout = rt.layout();
          const log = new TableLog({ store, layout });
          if (zoneName === undefined) {
            const zones: {
              zone: LakeZone;
              bucket: string;
              objects: number;
              bytes: number;
              tables: TableSummary[];
            }[] = [];
            for (const zone of ZONES) {
              const objects = await zoneObjects(store, layout, zone);
              zones.push({
                zone,
                bucket: layout.bucket(zone),
                objects: objects.length,
                bytes: objects.reduce((n, o) => n + o.size, 0),
                tables: await tablesOf(log, zone),
              });
            }
            emit(opts, { zones }, () =>
              table(
                zones.map((z) => ({
                  zone: z.zone,
                  bucket: z.bucket,
                  objects: z.objects,
                  size: mb(z.bytes),
                  tables: z.tables.length,
                  rows: z.tables.reduce((n, t) => n + t.rows, 0),
                })),
              ),
            );
            return;
          }
          const zone = zoneArg(zoneName);
          const objects = await zoneObjects(store, layout, zone, opts.prefix);
          const tables = await tablesOf(log, zone);
          const summary = {
            zone,
            bucket: layout.bucket(zone),
            uri: layout.uri(zone),
            tables,
            objects: objects.map((o) => ({
              key: o.key,
              size: o.size,
              lastModified: o.lastModified.toISOString(),
            })),
            bytes: objects.reduce((n, o) => n + o.size, 0),
          };
          emit(opts, summary, () => {
            const limit = Math.max(0, Number(opts.limit) || 0);
            const lines = [`${summary.uri}  ${objects.length} object(s), ${mb(summary.bytes)}`, ""];
            lines.push(
              tables.length > 0
                ? table(
                    tables.map((t) => ({
                      table: t.table,
                      version: t.version,
                      rows: t.rows,
                      files: t.files,
                      "delta rows": t.deltaRows,
                      size: mb(t.bytes),
                      operation: t.operation,
                      committed: t.committedAt,
                    })),
                  )
                : "no committed tables",
            );
            if (objects.length > 0) {
              lines.push("", table(objects.slice(0, limit).map((o) => ({ key: o.key, bytes: o.size }))));
              if (objects.length > limit)
                lines.push(`… ${objects.length - limit} more (--limit, --prefix, --json)`);
            }
            return lines.join("\n");
          });
        } finally {
          await rt.close();
        }
      },
    );

  lake
    .command("vacuum [zone]")
    .description(
      "delete data files no committed snapshot references (orphans of crashed runs, replaced files)",
    )
    .option("--retain <n>", "keep the files of this many latest versions", "1")
    .option("--dry-run", "only list what would be deleted")
    .option("--json", "print one JSON summary object")
    .action(
      async (zoneName: string | undefined, opts: { json?: boolean; retain: string; dryRun?: boolean }) => {
        const rt = ctx.runtime();
        try {
          const log = new TableLog({ store: rt.store(), layout: rt.layout() });
          const zones = zoneName === undefined ? ZONES : [zoneArg(zoneName)];
          const results: ({ table: string } & VacuumResult)[] = [];
          for (const zone of zones)
            for (const name of await log.tables(zone))
              results.push({
                table: `${zone}.${name}`,
                ...(await log.vacuum(zone, name, {
                  retainVersions: Number(opts.retain),
                  dryRun: opts.dryRun,
                })),
              });
          const summary = {
            dryRun: Boolean(opts.dryRun),
            files: results.reduce((n, r) => n + r.deleted.length, 0),
            bytes: results.reduce((n, r) => n + r.bytes, 0),
            tables: results,
          };
          emit(opts, summary, () =>
            [
              table(
                results.map((r) => ({
                  table: r.table,
                  files: r.deleted.length,
                  size: mb(r.bytes),
                  unfinished: r.incomplete,
                })),
              ),
              `${summary.dryRun ? "would delete" : "deleted"} ${summary.files} file(s), ${mb(summary.bytes)}`,
            ].join("\n"),
          );
        } finally {
          await rt.close();
        }
      },
    );
};
