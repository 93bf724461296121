import type { CommandModule } from "../context.ts";
import { emit, table } from "../output.ts";

const mb = (bytes: number) => (bytes / 1024 ** 2).toFixed(2);

export const registerTables: CommandModule = (program, ctx) => {
  program
    .command("tables")
    .description("List catalogued tables with rows, partitions, bytes and last update")
    .option("--json", "print one JSON summary object")
    .action(async (o: { json?: boolean }) => {
      const { describeTables } = await import("@hotels/query");
      const rt = ctx.runtime();
      const { TableLog } = await import("@hotels/lake");
      const store = rt.store();
      const layout = rt.layout();
      try {
        const tables = await describeTables({
          catalog: rt.catalog(),
          snapshots: new TableLog({ store, layout }),
        });
        emit(o, { tables }, () =>
          tables.length === 0
            ? "no catalogued tables (run `hotels etl` and `hotels crawl` first)"
            : table(
                tables.map((t) => ({
                  table: t.name,
                  rows: t.rows,
                  files: t.files,
                  partitions: t.partitions,
                  MB: Number(mb(t.bytes)),
                  version: t.version,
                  updated: t.updatedAt ?? "",
                })),
              ),
        );
      } finally {
        await rt.close();
      }
    });
};
