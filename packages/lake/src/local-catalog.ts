import type { GlueTableInput } from "@hotels/schema";
import type { Catalog, CatalogTable, PartitionInput } from "./catalog-port.ts";
import { ObjectNotFoundError } from "./errors.ts";
import { LocalObjectStore } from "./local-store.ts";
import type { ObjectStore } from "./port.ts";

/** Bucket of the local catalog inside the lake root (`<home>/lake/_catalog/`). */
export const CATALOG_BUCKET = "_catalog";

export interface LocalCatalogOptions {
  /** Bucket holding the catalog JSON. Default `_catalog`. */
  readonly bucket?: string;
}

interface StoredDatabase {
  readonly Name: string;
  readonly Description?: string;
  readonly CreateTime: string;
}
type StoredTable = Omit<CatalogTable, "UpdateTime"> & { readonly UpdateTime?: string };

const text = new TextDecoder();
const partitionId = (values: readonly string[]) => JSON.stringify(values);

/** The Glue Data Catalog as Glue-API-shaped JSON in the lake, one object per database, table and table's
 * partition list:
 *
 *     _catalog/databases/<db>.json               { Name, Description, CreateTime }
 *     _catalog/tables/<db>/<table>.json          TableInput + DatabaseName + UpdateTime
 *     _catalog/partitions/<db>/<table>.json      [{ Values, StorageDescriptor: { Location } }, ...]
 *
 * Each object is replaced atomically. Read-modify-write of a partition list is serialised within the
 * process; across processes the crawler's lock is what serialises writers. */
export class LocalCatalog implements Catalog {
  private readonly store: ObjectStore;
  private readonly bucket: string;
  private queue: Promise<unknown> = Promise.resolve();

  /** `root`: the lake folder (the catalog lives in its `_catalog` bucket), or any object store. */
  constructor(root: string | ObjectStore, options: LocalCatalogOptions = {}) {
    this.store = typeof root === "string" ? new LocalObjectStore(root) : root;
    this.bucket = options.bucket ?? CATALOG_BUCKET;
  }

  private async read<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(text.decode(await this.store.get(this.bucket, key))) as T;
    } catch (e) {
      if (e instanceof ObjectNotFoundError) return undefined;
      throw e;
    }
  }
  private write(key: string, value: unknown) {
    return this.store.put(this.bucket, key, `${JSON.stringify(value, null, 2)}\n`);
  }
  /** Runs `f` after every earlier mutation of this catalog object. */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => {});
    return run;
  }

  async ensureDatabase(name: string, description?: string): Promise<void> {
    await this.serial(async () => {
      if (await this.read(`databases/${name}.json`)) return;
      const db: StoredDatabase = {
        Name: name,
        ...(description ? { Description: description } : {}),
        CreateTime: new Date().toISOString(),
      };
      await this.write(`databases/${name}.json`, db);
    });
  }

  /** Databases, by name. */
  async getDatabases(): Promise<string[]> {
    const out: string[] = [];
    for await (const o of this.store.list(this.bucket, "databases/"))
      out.push(o.key.slice("databases/".length, -".json".length));
    return out;
  }

  async getTable(database: string, name: string): Promise<CatalogTable | undefined> {
    const t = await this.read<StoredTable>(`tables/${database}/${name}.json`);
    return t && revive(t);
  }

  async getTables(database: string): Promise<CatalogTable[]> {
    const out: CatalogTable[] = [];
    for await (const o of this.store.list(this.bucket, `tables/${database}/`)) {
      const t = await this.read<StoredTable>(o.key);
      if (t) out.push(revive(t));
    }
    return out;
  }

  async putTable(database: string, input: GlueTableInput): Promise<void> {
    await this.serial(async () => {
      if (!(await this.read(`databases/${database}.json`)))
        throw new Error(`catalog: database ${database} does not exist (EntityNotFoundException)`);
      const stored: StoredTable = { ...input, DatabaseName: database, UpdateTime: new Date().toISOString() };
      await this.write(`tables/${database}/${input.Name}.json`, stored);
    });
  }

  async getPartitions(database: string, table: string): Promise<PartitionInput[]> {
    return (await this.read<PartitionInput[]>(`partitions/${database}/${table}.json`)) ?? [];
  }

  async addPartitions(
    database: string,
    table: string,
    partitions: readonly PartitionInput[],
  ): Promise<number> {
    return this.serial(async () => {
      if (!(await this.getTable(database, table)))
        throw new Error(`catalog: table ${database}.${table} does not exist (EntityNotFoundException)`);
      const current = await this.getPartitions(database, table);
      const known = new Set(current.map((p) => partitionId(p.Values)));
      const added: PartitionInput[] = [];
      for (const p of partitions) {
        const id = partitionId(p.Values);
        if (known.has(id)) continue;
        known.add(id);
        added.push({ Values: [...p.Values], StorageDescriptor: { Location: p.StorageDescriptor.Location } });
      }
      if (added.length > 0) await this.write(`partitions/${database}/${table}.json`, [...current, ...added]);
      return added.length;
    });
  }

  async updatePartitions(
    database: string,
    table: string,
    partitions: readonly PartitionInput[],
  ): Promise<number> {
    if (partitions.length === 0) return 0;
    return this.serial(async () => {
      if (!(await this.getTable(database, table)))
        throw new Error(`catalog: table ${database}.${table} does not exist (EntityNotFoundException)`);
      const wanted = new Map(partitions.map((p) => [partitionId(p.Values), p.StorageDescriptor.Location]));
      const current = await this.getPartitions(database, table);
      let updated = 0;
      const next = current.map((p) => {
        const location = wanted.get(partitionId(p.Values));
        if (location === undefined) return p;
        updated++;
        return { Values: p.Values, StorageDescriptor: { Location: location } };
      });
      if (updated > 0) await this.write(`partitions/${database}/${table}.json`, next);
      return updated;
    });
  }

  async deletePartitions(
    database: string,
    table: string,
    values: readonly (readonly string[])[],
  ): Promise<number> {
    if (values.length === 0) return 0;
    return this.serial(async () => {
      if (!(await this.getTable(database, table)))
        throw new Error(`catalog: table ${database}.${table} does not exist (EntityNotFoundException)`);
      const gone = new Set(values.map(partitionId));
      const current = await this.getPartitions(database, table);
      const kept = current.filter((p) => !gone.has(partitionId(p.Values)));
      const removed = current.length - kept.length;
      if (removed > 0) await this.write(`partitions/${database}/${table}.json`, kept);
      return removed;
    });
  }
}

function revive(t: StoredTable): CatalogTable {
  const { UpdateTime, ...rest } = t;
  return { ...rest, ...(UpdateTime ? { UpdateTime: new Date(UpdateTime) } : {}) } as CatalogTable;
}
