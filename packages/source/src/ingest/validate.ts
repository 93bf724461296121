import { type Column, canonicalDecimal, decodeCell, type Problem, type TableDef } from "@hotels/schema";
import { escapeCopy } from "../copy-text.ts";

/** A record checked against its table, ready to load as one COPY text line, or its problems. */
export type Checked = { ok: true; line: string } | { ok: false; problems: Problem[] };

/** A compiled per-column validator and COPY encoder of one table, derived from the schema's columns (the
 * same rules as the zod record validator `validateRecord`, with the same messages, but without building a
 * schema object per record: ingest checks millions). */
export interface TableCodec {
  readonly table: TableDef;
  /** Typed values (JS record) → checked COPY line. Unknown fields are problems, missing ones `required`. */
  fromValues(record: Readonly<Record<string, unknown>>): Checked;
  /** Text cells (CSV) by column name → typed record plus decode problems; null markers per `decodeCell`.
   * `overrides` replace some cells (mapped or derived ones) without copying the row. */
  decodeText(
    cells: Readonly<Record<string, string | undefined>>,
    overrides?: Readonly<Record<string, string | undefined>>,
  ): {
    record: Record<string, unknown>;
    problems: Problem[];
  };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function isDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (mo === 2 && leap ? 29 : DAYS[mo - 1]!);
}

type ColumnCheck = (v: unknown) => { rule: string } | string;

/** One column: value → its COPY text, or the broken rule. */
function compileColumn(c: Column): ColumnCheck {
  const t = c.type;
  const bounds = (n: number): string | null =>
    c.min !== undefined && n < c.min
      ? `must be ≥ ${c.min}`
      : c.max !== undefined && n > c.max
        ? `must be ≤ ${c.max}`
        : null;
  switch (t.kind) {
    case "string": {
      const allowed = c.enum ? new Set(c.enum) : null;
      const enumRule = c.enum ? `must be one of: ${c.enum.join(", ")}` : "";
      const pattern = c.pattern;
      return (v) => {
        if (allowed) return typeof v === "string" && allowed.has(v) ? escapeCopy(v) : { rule: enumRule };
        if (typeof v !== "string") return { rule: "must be text" };
        if (pattern && !pattern.test(v)) return { rule: `must match ${pattern}` };
        return escapeCopy(v);
      };
    }
    case "int32":
    case "int64": {
      const lo = t.kind === "int32" ? -(2 ** 31) : Number.MIN_SAFE_INTEGER;
      const hi = t.kind === "int32" ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
      // The common case in one comparison: an integer within both the type's range and the column's bounds.
      const min = Math.max(lo, c.min ?? lo);
      const max = Math.min(hi, c.max ?? hi);
      return (v) => {
        if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return String(v);
        if (typeof v !== "number") return { rule: "must be a number" };
        if (!Number.isInteger(v)) return { rule: "must be an integer" };
        if (v < lo || v > hi) return { rule: `outside the ${t.kind} range` };
        return { rule: bounds(v)! };
      };
    }
    case "double":
      return (v) => {
        if (typeof v !== "number") return { rule: "must be a number" };
        if (!Number.isFinite(v)) return { rule: "must be finite" };
        const b = bounds(v);
        return b ? { rule: b } : String(v);
      };
    case "decimal": {
      // Already-canonical text (the generator's, the database's) skips the general parser.
      const canonical = new RegExp(
        `^-?(?:0|[1-9]\\d{0,${Math.max(0, t.precision - t.scale - 1)}})${t.scale ? `\\.\\d{${t.scale}}` : ""}$`,
      );
      const boundless = c.min === undefined && c.max === undefined;
      return (v) => {
        if (boundless && typeof v === "string" && canonical.test(v) && !/^-0(?:\.0*)?$/.test(v)) return v;
        if (typeof v !== "string" && typeof v !== "number") return { rule: "must be a decimal" };
        const d = canonicalDecimal(String(v), t.precision, t.scale);
        if (typeof d !== "string") return { rule: `must be decimal(${t.precision},${t.scale}): ${d.error}` };
        const b = bounds(Number(d));
        return b ? { rule: b } : d;
      };
    }
    case "boolean":
      return (v) => (typeof v === "boolean" ? (v ? "t" : "f") : { rule: "must be true or false" });
    case "date":
      return (v) => (typeof v === "string" && isDate(v) ? v : { rule: "must be a calendar date YYYY-MM-DD" });
    case "timestamp":
      return (v) => {
        const d = v instanceof Date ? v : typeof v === "string" ? new Date(v) : null;
        return d && !Number.isNaN(d.getTime()) ? d.toISOString() : { rule: "must be a timestamp" };
      };
  }
}

const cache = new WeakMap<TableDef, TableCodec>();

export function tableCodec(table: TableDef): TableCodec {
  const hit = cache.get(table);
  if (hit) return hit;
  const cols = table.columns;
  const checks = cols.map(compileColumn);
  const names = new Set(cols.map((c) => c.name));
  const codec: TableCodec = {
    table,
    fromValues(record) {
      let line = "";
      let problems: Problem[] | undefined;
      let present = 0;
      for (let i = 0; i < cols.length; i++) {
        const c = cols[i]!;
        const v = record[c.name];
        let out: { rule: string } | string;
        if (v === null || v === undefined) {
          out = c.nullable ? "\\N" : { rule: "required" };
          if (v === null) present++;
        } else {
          present++;
          out = checks[i]!(v);
        }
        if (typeof out === "string") line += i ? `\t${out}` : out;
        else {
          problems ??= [];
          problems.push({ field: c.name, value: v ?? null, rule: out.rule });
        }
      }
      // More keys than known columns present: some are unknown (one cheap count decides it).
      if (Object.keys(record).length > present) {
        for (const k in record) {
          if (!names.has(k)) {
            problems ??= [];
            problems.push({ field: k, value: record[k], rule: "unknown field" });
          }
        }
      }
      return problems ? { ok: false, problems } : { ok: true, line };
    },
    decodeText(cells, overrides) {
      const record: Record<string, unknown> = {};
      const problems: Problem[] = [];
      for (const c of cols) {
        const text = overrides && c.name in overrides ? overrides[c.name] : cells[c.name];
        const d = decodeCell(c, text);
        if (d.ok) record[c.name] = d.value;
        else problems.push({ field: c.name, value: text ?? null, rule: d.rule });
      }
      return { record, problems };
    },
  };
  cache.set(table, codec);
  return codec;
}
