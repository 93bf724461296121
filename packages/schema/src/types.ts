/** Logical column types: every physical type (PostgreSQL, Glue/Hive, DuckDB/Parquet, Spark) derives from these. */
export type LogicalType =
  | { readonly kind: "string" }
  | { readonly kind: "int32" }
  | { readonly kind: "int64" }
  | { readonly kind: "double" }
  | { readonly kind: "decimal"; readonly precision: number; readonly scale: number }
  | { readonly kind: "boolean" }
  | { readonly kind: "date" }
  | { readonly kind: "timestamp" };

/** TypeScript value of each logical type. Decimals stay canonical strings (no float surprises); dates are
 * ISO `YYYY-MM-DD` strings (a calendar date has no time zone); timestamps are `Date`s. int64 values are
 * JS numbers: every id here is far below 2^53. */
export interface ValueOf {
  string: string;
  int32: number;
  int64: number;
  double: number;
  decimal: string;
  boolean: boolean;
  date: string;
  timestamp: Date;
}

export interface Column<T = unknown, N extends boolean = boolean> {
  readonly name: string;
  readonly type: LogicalType;
  readonly nullable: N;
  readonly description: string;
  /** Closed domain: the value must be one of these. */
  readonly enum?: readonly string[];
  /** Inclusive numeric bounds checked by the record validator. */
  readonly min?: number;
  readonly max?: number;
  /** Text pattern checked by the record validator. */
  readonly pattern?: RegExp;
  /** Phantom field carrying the TypeScript value type; never set at run time. */
  readonly __value?: T;
}

export type Zone = "source" | "raw" | "processed" | "curated" | "predictions" | "rejected";

export interface ForeignKey {
  readonly columns: readonly string[];
  readonly references: { readonly table: string; readonly columns: readonly string[] };
}

export interface TableDef<C extends readonly Column[] = readonly Column[]> {
  readonly name: string;
  readonly zone: Zone;
  readonly description: string;
  readonly columns: C;
  /** Primary key (source) or the key that identifies a record (lake). */
  readonly primaryKey: readonly string[];
  readonly foreignKeys?: readonly ForeignKey[];
  /** Hive-style partition columns (lake only); kept apart from `columns`, as Glue does. */
  readonly partitionKeys?: readonly Column[];
  /** Key that dedupes records in the lake, keeping the row with the greatest `versionColumn`. */
  readonly dedupeKey?: readonly string[];
  /** Column that orders versions of a record and drives incremental extraction. */
  readonly versionColumn?: string;
}

/** The TypeScript record type of a table, inferred from its columns. */
export type RowOf<T extends TableDef> = {
  [C in T["columns"][number] as C["name"]]: C extends Column<infer V, infer N>
    ? N extends true
      ? V | null
      : V
    : never;
};
export type PartitionValuesOf<T extends TableDef> = T["partitionKeys"] extends readonly Column[]
  ? { [C in T["partitionKeys"][number] as C["name"]]: C extends Column<infer V> ? V : never }
  : Record<string, never>;
