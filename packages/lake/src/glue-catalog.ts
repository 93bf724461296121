import type { GlueClient, PartitionInput as GluePartitionInput, Table } from "@aws-sdk/client-glue";
import type { GlueTableInput } from "@hotels/schema";
import type { Catalog, CatalogTable, PartitionInput } from "./catalog-port.ts";

export interface GlueCatalogOptions {
  /** The Glue client. Default: a client for `region` with the default credential chain. */
  readonly client?: GlueClient;
  /** Region of the default client. */
  readonly region?: string;
  /** AWS account id of the Data Catalog. Default: the caller's account. */
  readonly catalogId?: string;
}

/** BatchCreatePartition accepts at most 100 partitions per call. */
export const GLUE_PARTITION_BATCH = 100;
/** BatchUpdatePartition accepts at most 100 entries per call. */
export const GLUE_UPDATE_PARTITION_BATCH = 100;
/** BatchDeletePartition accepts at most 25 partitions per call. */
export const GLUE_DELETE_PARTITION_BATCH = 25;

const errName = (e: unknown) => (e as { name?: string }).name;

/** The catalog port on the AWS Glue Data Catalog. */
export class GlueCatalog implements Catalog {
  private readonly options: GlueCatalogOptions;
  private readonly catalogId: string | undefined;
  private ready?: Promise<{ glue: typeof import("@aws-sdk/client-glue"); client: GlueClient }>;

  constructor(options: GlueCatalogOptions) {
    this.options = options;
    this.catalogId = options.catalogId;
  }

  /** The SDK, loaded on first use (~160 ms that every local command would otherwise pay). */
  private sdk() {
    this.ready ??= import("@aws-sdk/client-glue").then((glue) => ({
      glue,
      client: this.options.client ?? new glue.GlueClient({ region: this.options.region }),
    }));
    return this.ready;
  }

  async ensureDatabase(name: string, description?: string): Promise<void> {
    const { glue, client } = await this.sdk();
    try {
      await client.send(
        new glue.CreateDatabaseCommand({
          CatalogId: this.catalogId,
          DatabaseInput: { Name: name, ...(description ? { Description: description } : {}) },
        }),
      );
    } catch (e) {
      if (errName(e) !== "AlreadyExistsException") throw e;
    }
  }

  async getTable(database: string, name: string): Promise<CatalogTable | undefined> {
    const { glue, client } = await this.sdk();
    try {
      const r = await client.send(
        new glue.GetTableCommand({ CatalogId: this.catalogId, DatabaseName: database, Name: name }),
      );
      return r.Table && toCatalogTable(r.Table, database);
    } catch (e) {
      if (errName(e) === "EntityNotFoundException") return undefined;
      throw e;
    }
  }

  async getTables(database: string): Promise<CatalogTable[]> {
    const { glue, client } = await this.sdk();
    const out: CatalogTable[] = [];
    for await (const page of glue.paginateGetTables(
      { client },
      { CatalogId: this.catalogId, DatabaseName: database },
    ))
      for (const t of page.TableList ?? []) out.push(toCatalogTable(t, database));
    return out;
  }

  async putTable(database: string, input: GlueTableInput): Promise<void> {
    const { glue, client } = await this.sdk();
    const request = { CatalogId: this.catalogId, DatabaseName: database, TableInput: input };
    if (await this.getTable(database, input.Name)) {
      await client.send(new glue.UpdateTableCommand(request));
      return;
    }
    try {
      await client.send(new glue.CreateTableCommand(request));
    } catch (e) {
      // Created by someone else between GetTable and CreateTable.
      if (errName(e) !== "AlreadyExistsException") throw e;
      await client.send(new glue.UpdateTableCommand(request));
    }
  }

  async getPartitions(database: string, table: string): Promise<PartitionInput[]> {
    const { glue, client } = await this.sdk();
    const out: PartitionInput[] = [];
    for await (const page of glue.paginateGetPartitions(
      { client },
      { CatalogId: this.catalogId, DatabaseName: database, TableName: table },
    ))
      for (const p of page.Partitions ?? [])
        out.push({
          Values: p.Values ?? [],
          StorageDescriptor: {
            Location: p.StorageDescriptor?.Location ?? "",
            ...(p.StorageDescriptor?.InputFormat ? { InputFormat: p.StorageDescriptor.InputFormat } : {}),
          },
        });
    return out;
  }

  /** Adds partitions not yet in the catalog. Each partition gets the TABLE's columns, formats and SerDe
   * (only its location differs): partitions never carry their own schema, so a drifted file can never
   * produce Athena's HIVE_PARTITION_SCHEMA_MISMATCH. */
  async addPartitions(
    database: string,
    table: string,
    partitions: readonly PartitionInput[],
  ): Promise<number> {
    if (partitions.length === 0) return 0;
    const { glue, client } = await this.sdk();
    const t = await this.getTable(database, table);
    if (!t) throw new Error(`catalog: table ${database}.${table} does not exist`);
    const known = new Set((await this.getPartitions(database, table)).map((p) => JSON.stringify(p.Values)));
    const fresh = partitions.filter((p) => {
      const id = JSON.stringify(p.Values);
      if (known.has(id)) return false;
      known.add(id);
      return true;
    });
    let added = 0;
    for (let i = 0; i < fresh.length; i += GLUE_PARTITION_BATCH) {
      const batch = fresh.slice(i, i + GLUE_PARTITION_BATCH);
      const input = batch.map((p) => partitionOfTable(t, p));
      const r = await client.send(
        new glue.BatchCreatePartitionCommand({
          CatalogId: this.catalogId,
          DatabaseName: database,
          TableName: table,
          PartitionInputList: input,
        }),
      );
      const errors = r.Errors ?? [];
      // A partition another crawler added meanwhile is fine; anything else is a real failure.
      const real = errors.filter((e) => e.ErrorDetail?.ErrorCode !== "AlreadyExistsException");
      if (real.length > 0)
        throw new Error(
          `catalog: BatchCreatePartition ${database}.${table}: ${real
            .map(
              (e) =>
                `[${(e.PartitionValues ?? []).join(",")}] ${e.ErrorDetail?.ErrorCode}: ${e.ErrorDetail?.ErrorMessage}`,
            )
            .join("; ")}`,
        );
      added += batch.length - errors.length;
    }
    return added;
  }

  /** Re-points partitions with BatchUpdatePartition, 100 per call, each given the TABLE's columns, formats
   * and SerDe with its new location (a table moved to symlink manifests moves its partitions' input format
   * too: Athena reads a partition with the partition's own format). Every chunk is sent; a partition gone
   * meanwhile (EntityNotFoundException) is skipped; other per-partition failures are thrown together. */
  async updatePartitions(
    database: string,
    table: string,
    partitions: readonly PartitionInput[],
  ): Promise<number> {
    if (partitions.length === 0) return 0;
    const { glue, client } = await this.sdk();
    const t = await this.getTable(database, table);
    if (!t) throw new Error(`catalog: table ${database}.${table} does not exist`);
    let updated = 0;
    const failed: string[] = [];
    for (let i = 0; i < partitions.length; i += GLUE_UPDATE_PARTITION_BATCH) {
      const batch = partitions.slice(i, i + GLUE_UPDATE_PARTITION_BATCH);
      const r = await client.send(
        new glue.BatchUpdatePartitionCommand({
          CatalogId: this.catalogId,
          DatabaseName: database,
          TableName: table,
          Entries: batch.map((p) => ({
            PartitionValueList: [...p.Values],
            PartitionInput: partitionOfTable(t, p),
          })),
        }),
      );
      updated += batch.length - batchFailures(r.Errors, (e) => e.PartitionValueList, failed);
    }
    if (failed.length > 0)
      throw new Error(
        `catalog: BatchUpdatePartition ${database}.${table}: ${failed.length} partition(s) not updated (${updated} were): ${failed.join("; ")}`,
      );
    return updated;
  }

  /** Deletes partitions with BatchDeletePartition, 25 per call. Every chunk is sent; then per-partition
   * failures other than EntityNotFoundException (deleted meanwhile: the wanted outcome) are thrown together,
   * naming their values. */
  async deletePartitions(
    database: string,
    table: string,
    values: readonly (readonly string[])[],
  ): Promise<number> {
    const seen = new Set<string>();
    const unique = values.filter((v) => {
      const id = JSON.stringify(v);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    if (unique.length === 0) return 0;
    const { glue, client } = await this.sdk();
    let removed = 0;
    const failed: string[] = [];
    for (let i = 0; i < unique.length; i += GLUE_DELETE_PARTITION_BATCH) {
      const batch = unique.slice(i, i + GLUE_DELETE_PARTITION_BATCH);
      const r = await client.send(
        new glue.BatchDeletePartitionCommand({
          CatalogId: this.catalogId,
          DatabaseName: database,
          TableName: table,
          PartitionsToDelete: batch.map((v) => ({ Values: [...v] })),
        }),
      );
      removed += batch.length - batchFailures(r.Errors, (e) => e.PartitionValues, failed);
    }
    if (failed.length > 0)
      throw new Error(
        `catalog: BatchDeletePartition ${database}.${table}: ${failed.length} partition(s) not deleted (${removed} were): ${failed.join("; ")}`,
      );
    return removed;
  }
}

/** A Glue PartitionInput: the table's storage descriptor (columns, formats, SerDe) at the partition's
 * location. Partitions never carry their own schema: a drifted file can then never produce Athena's
 * HIVE_PARTITION_SCHEMA_MISMATCH. */
function partitionOfTable(t: CatalogTable, p: PartitionInput): GluePartitionInput {
  const sd = t.StorageDescriptor;
  return {
    Values: [...p.Values],
    StorageDescriptor: {
      Columns: sd.Columns.map((c) => ({ ...c })),
      Location: p.StorageDescriptor.Location,
      InputFormat: sd.InputFormat,
      OutputFormat: sd.OutputFormat,
      SerdeInfo: { ...sd.SerdeInfo, Parameters: { ...sd.SerdeInfo.Parameters } },
    },
  };
}

/** A Glue `Table` in the port's TableInput shape. */
function toCatalogTable(t: Table, database: string): CatalogTable {
  const sd = t.StorageDescriptor ?? {};
  return {
    DatabaseName: t.DatabaseName ?? database,
    Name: t.Name ?? "",
    Description: t.Description ?? "",
    TableType: t.TableType ?? "EXTERNAL_TABLE",
    Parameters: (t.Parameters ?? {}) as CatalogTable["Parameters"],
    PartitionKeys: (t.PartitionKeys ?? []).map((c) => ({
      Name: c.Name ?? "",
      Type: c.Type ?? "",
      Comment: c.Comment,
    })),
    StorageDescriptor: {
      Columns: (sd.Columns ?? []).map((c) => ({
        Name: c.Name ?? "",
        Type: c.Type ?? "",
        Comment: c.Comment,
      })),
      Location: sd.Location ?? "",
      InputFormat: sd.InputFormat ?? "",
      OutputFormat: sd.OutputFormat ?? "",
      SerdeInfo: {
        SerializationLibrary: sd.SerdeInfo?.SerializationLibrary ?? "",
        Parameters: (sd.SerdeInfo?.Parameters ??
          {}) as CatalogTable["StorageDescriptor"]["SerdeInfo"]["Parameters"],
      },
    },
    ...(t.UpdateTime ? { UpdateTime: t.UpdateTime } : {}),
  };
}

/** Per-partition errors of a Glue batch call: those other than EntityNotFoundException (gone meanwhile)
 * are added to `failed`, naming their values. Returns how many partitions the call did not change. */
function batchFailures<E extends { ErrorDetail?: { ErrorCode?: string; ErrorMessage?: string } }>(
  errors: readonly E[] | undefined,
  valuesOf: (e: E) => readonly string[] | undefined,
  failed: string[],
): number {
  for (const e of errors ?? [])
    if (e.ErrorDetail?.ErrorCode !== "EntityNotFoundException")
      failed.push(
        `[${(valuesOf(e) ?? []).join(",")}] ${e.ErrorDetail?.ErrorCode}: ${e.ErrorDetail?.ErrorMessage}`,
      );
  return errors?.length ?? 0;
}
