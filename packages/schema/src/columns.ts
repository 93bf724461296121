import type { Column, LogicalType, ValueOf } from "./types.ts";

interface Options {
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
}

type Builder<K extends keyof ValueOf> = <const Name extends string>(
  name: Name,
  description: string,
  options?: Options,
) => Column<ValueOf[K], false> & { readonly name: Name };

function builder<K extends keyof ValueOf>(type: LogicalType): Builder<K> {
  return (name, description, options = {}) =>
    ({ name, type, nullable: false, description, ...options }) as Column<ValueOf[K], false> & {
      readonly name: typeof name;
    };
}

/** Column builders: `col.int32("lead_time", "days between booking and arrival", { min: 0 })`. */
export const col = {
  string: builder<"string">({ kind: "string" }),
  int32: builder<"int32">({ kind: "int32" }),
  int64: builder<"int64">({ kind: "int64" }),
  double: builder<"double">({ kind: "double" }),
  boolean: builder<"boolean">({ kind: "boolean" }),
  date: builder<"date">({ kind: "date" }),
  timestamp: builder<"timestamp">({ kind: "timestamp" }),
  decimal:
    (precision: number, scale: number) =>
    <const Name extends string>(name: Name, description: string, options: Options = {}) =>
      ({
        name,
        type: { kind: "decimal", precision, scale },
        nullable: false,
        description,
        ...options,
      }) as Column<string, false> & { readonly name: Name },
  /** Literal-typed enum column: its TypeScript type is the union of the values. */
  enum: <const Name extends string, const V extends readonly string[]>(
    name: Name,
    values: V,
    description: string,
  ) =>
    ({ name, type: { kind: "string" }, nullable: false, description, enum: values }) as Column<
      V[number],
      false
    > & {
      readonly name: Name;
    },
};

/** Marks a column nullable, keeping its value type. */
export function nullable<const C extends Column<unknown, false>>(
  c: C,
): Omit<C, "nullable" | "__value"> & Column<NonNullable<C["__value"]>, true> {
  return { ...c, nullable: true } as Omit<C, "nullable" | "__value"> &
    Column<NonNullable<C["__value"]>, true>;
}

/** The same column under another name (lake tables that rename a source attribute). */
export function renamed<const C extends Column, const Name extends string>(
  c: C,
  name: Name,
  description = c.description,
): Omit<C, "name"> & { readonly name: Name } {
  return { ...c, name, description };
}
