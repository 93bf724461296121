import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/** A file that cannot be read as the expected format: refused as a whole, with where and what. */
export class IngestFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = "IngestFormatError";
  }
}

/** Opens `-` (stdin), a path, or a given byte stream. */
export function openInput(input: string | Readable | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  if (typeof input !== "string") return input;
  return input === "-" ? process.stdin : createReadStream(input, { highWaterMark: 1 << 20 });
}

/** Decompresses gzip input (detected by its magic bytes, not its name); passes plain input through. A
 * truncated or corrupt gzip stream is refused. */
export async function* maybeGunzip(
  file: string,
  bytes: AsyncIterable<Uint8Array>,
  lines: () => number,
): AsyncGenerator<Uint8Array> {
  const it = bytes[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.length === 0) first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest = (async function* () {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  })();
  if (!(head[0] === 0x1f && head[1] === 0x8b)) {
    yield* rest;
    return;
  }
  const gunzip = createGunzip();
  Readable.from(rest)
    .on("error", (e) => gunzip.destroy(e))
    .pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === "Z_BUF_ERROR" || /unexpected end/i.test((e as Error).message)
        ? "truncated gzip stream (unexpected end of file)"
        : `corrupt gzip stream (${(e as Error).message})`;
    throw new IngestFormatError(file, lines() + 1, reason);
  }
}

export interface TextStream {
  /** UTF-8 text chunks; undecodable bytes are refused naming their line. */
  readonly chunks: AsyncIterable<string>;
  /** Whether the input ended with a newline (known once `chunks` is done). */
  endedWithNewline(): boolean;
  /** Physical lines seen so far (newlines passed). */
  lines(): number;
}

/** Bytes → UTF-8 text, strictly: an invalid byte sequence is an error naming its line. */
export function decodeUtf8(file: string, input: string | Readable | AsyncIterable<Uint8Array>): TextStream {
  let lines = 0;
  let lastByte = -1;
  let tail: Uint8Array = new Uint8Array(0); // bytes since the last newline, to locate a bad sequence
  const counter = () => lines;
  const bytes = maybeGunzip(file, openInput(input), counter);
  const chunks = (async function* () {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    for await (const chunk of bytes) {
      if (chunk.length === 0) continue;
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw new IngestFormatError(file, badLine(tail, chunk, lines), "not valid UTF-8 (undecodable bytes)");
      }
      let nl = 0;
      let lastNl = -1;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) {
        nl++;
        lastNl = i;
      }
      lines += nl;
      tail = lastNl >= 0 ? chunk.subarray(lastNl + 1) : concat(tail, chunk);
      lastByte = chunk[chunk.length - 1]!;
      yield text;
    }
    try {
      const end = decoder.decode();
      if (end) yield end;
    } catch {
      throw new IngestFormatError(file, lines + 1, "not valid UTF-8 (incomplete byte sequence at end)");
    }
  })();
  return { chunks, endedWithNewline: () => lastByte === 10 || lastByte === -1, lines: counter };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The 1-based line holding the first undecodable sequence of `tail + chunk`. */
function badLine(tail: Uint8Array, chunk: Uint8Array, before: number): number {
  const buf = concat(tail, chunk);
  let line = before + 1;
  let start = 0;
  const probe = new TextDecoder("utf-8", { fatal: true });
  for (;;) {
    const nl = buf.indexOf(10, start);
    const piece = buf.subarray(start, nl < 0 ? buf.length : nl);
    try {
      // The last piece may end in a multi-byte sequence cut by the chunk boundary: decode it as a stream.
      probe.decode(piece, { stream: nl < 0 });
    } catch {
      return line;
    }
    if (nl < 0) return line;
    start = nl + 1;
    line++;
  }
}
