import type { GlueTableInput } from "@hotels/schema";

/** A catalog partition, Glue API shaped (`Values` in partition-key order). */
export interface PartitionInput {
  readonly Values: readonly string[];
  readonly StorageDescriptor: {
    readonly Location: string;
    /** The partition's own input format as the catalog holds it, when it keeps one (Glue: a partition
     * made before the table's format changed keeps the old one). Writers never set it: a partition always
     * gets the table's formats and SerDe. */
    readonly InputFormat?: string;
  };
}

export interface CatalogTable extends GlueTableInput {
  readonly DatabaseName: string;
  readonly UpdateTime?: Date;
}

/** The catalog port (Glue Data Catalog). Local adapter keeps the same shapes as JSON in the lake. */
export interface Catalog {
  ensureDatabase(name: string, description?: string): Promise<void>;
  getTable(database: string, name: string): Promise<CatalogTable | undefined>;
  getTables(database: string): Promise<CatalogTable[]>;
  /** Creates or updates a table definition. */
  putTable(database: string, input: GlueTableInput): Promise<void>;
  getPartitions(database: string, table: string): Promise<PartitionInput[]>;
  /** Adds partitions not yet known; existing ones are left alone. */
  addPartitions(database: string, table: string, partitions: readonly PartitionInput[]): Promise<number>;
  /** Re-points existing partitions (matched by `Values`) at `StorageDescriptor.Location`, with the table's
   * current columns, formats and SerDe. One absent is skipped, not an error: returns how many were updated. */
  updatePartitions(database: string, table: string, partitions: readonly PartitionInput[]): Promise<number>;
  /** Removes partitions by their values (partition-key order). One already absent counts as deleted, not
   * as an error, but not in the result: returns how many this call removed. */
  deletePartitions(database: string, table: string, values: readonly (readonly string[])[]): Promise<number>;
}
