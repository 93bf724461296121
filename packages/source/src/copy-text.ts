/** PostgreSQL COPY text format helpers shared by the adapters (`\N` null; backslash, tab, newline and
 * carriage return escaped). A value's COPY text is its type's text output, escaped, so rows read with raw
 * (unparsed) text values encode exactly as `COPY … TO STDOUT` would write them. */

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function escapeCopy(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[\\\t\n\r]/g, (ch) => ESCAPES[ch]!) : s;
}

/** One COPY text line from raw text values (null → `\N`). */
export function rawCopyLine(values: readonly (string | null)[]): string {
  let out = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += (i ? "\t" : "") + (v === null || v === undefined ? "\\N" : escapeCopy(v));
  }
  return out;
}

const UNESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** Splits one COPY text line into raw text values (`\N` → null), undoing the escapes. */
export function parseCopyLine(line: string): (string | null)[] {
  return line.split("\t").map((cell) => {
    if (cell === "\\N") return null;
    if (!cell.includes("\\")) return cell;
    return cell.replace(/\\(.)/g, (_, ch: string) => UNESCAPES[ch] ?? ch);
  });
}

/** Splits a stream of text chunks into lines (without their `\n`). COPY text escapes newlines inside
 * values, so every `\n` ends a row. */
export async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of chunks) {
    const text = rest + chunk;
    let start = 0;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", start)) {
      yield text.slice(start, i);
      start = i + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== "") yield rest;
}

/** `copyOutBytes` for adapters that produce lines: ~1 MiB UTF-8 chunks of whole lines. */
export async function* linesAsBytes(lines: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for await (const text of chunkLines(lines)) yield encoder.encode(text);
}

/** Groups lines into newline-terminated text chunks of about `bytes` characters (fewer, bigger writes). */
export async function* chunkLines(lines: AsyncIterable<string>, bytes = 1 << 20): AsyncGenerator<string> {
  let buf: string[] = [];
  let size = 0;
  for await (const line of lines) {
    buf.push(line);
    size += line.length + 1;
    if (size >= bytes) {
      yield `${buf.join("\n")}\n`;
      buf = [];
      size = 0;
    }
  }
  if (buf.length) yield `${buf.join("\n")}\n`;
}
