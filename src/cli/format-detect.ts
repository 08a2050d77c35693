// `ingest`'s view of an input's format before anything is stored: sniffing for `--format auto`
// (files and stdin), and the check that a given `--format` fits the input at all. A file of
// Hubble lines read as Calico would otherwise be rejected line by line and "succeed" with nothing
// stored; instead the first bad line's number and reason are reported (exit 2) with the format
// the lines look like. Only the head of an input is read here; stdin's head is replayed to the
// reader, so nothing is lost.
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parserFor, sniffFormat, type FlowFormat, type ParserOptions } from '../flows/parsers.js';

/** How much of an input is read to judge its format. */
export const HEAD_BYTES = 64 * 1024;
/** Lines of stdin awaited (or EOF, or HEAD_BYTES) before judging it: a live pipe is not waited out. */
const STDIN_HEAD_LINES = 10;
/** Non-empty lines parsed to decide whether a given format fits. */
const CHECK_LINES = 20;

/** The complete lines of a head (a trailing partial line is left out unless the input ended). */
export function headLines(head: Buffer, ended: boolean): string[] {
  const lines = head.toString('utf8').split('\n');
  if (!ended) lines.pop();
  else if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

export async function readFileHead(handle: FileHandle): Promise<string[]> {
  const buffer = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
  return headLines(buffer.subarray(0, bytesRead), bytesRead < HEAD_BYTES);
}

/**
 * Reads the head of a stream (STDIN_HEAD_LINES lines, HEAD_BYTES or its end) and returns its lines
 * with a stream that yields the head again followed by the rest.
 */
export async function peekStream(stream: Readable): Promise<{ lines: string[]; stream: Readable }> {
  const iterator = (stream[Symbol.asyncIterator] as () => AsyncIterator<Buffer | string>)();
  const chunks: Buffer[] = [];
  let size = 0;
  let newlines = 0;
  let ended = false;
  while (size < HEAD_BYTES && newlines < STDIN_HEAD_LINES) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
    for (const byte of chunk) if (byte === 10) newlines++;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
  }
  return {
    lines: headLines(head.subarray(0, Math.min(head.length, HEAD_BYTES)), ended && head.length <= HEAD_BYTES),
    stream: Readable.from(replay(), { objectMode: false }),
  };
}

/** The format the lines look like, or undefined. */
export function detectFormat(lines: readonly string[]): FlowFormat | undefined {
  return sniffFormat(lines);
}

/**
 * Undefined when `format` fits the head (some line parses, or the lines look like that format
 * anyway); otherwise the one-line problem: the first bad line, its reason, and what the lines
 * look like.
 */
export function formatMismatch(
  name: string,
  lines: readonly string[],
  format: FlowFormat,
  options: ParserOptions = {},
): string | undefined {
  const parse = parserFor(format, options);
  let first: { line: number; reason: string; detail: string } | undefined;
  let checked = 0;
  for (let i = 0; i < lines.length && checked < CHECK_LINES; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    checked++;
    const result = parse(line);
    if (result.ok) return undefined;
    first ??= { line: i + 1, reason: result.reason, detail: result.detail };
  }
  if (first === undefined) return undefined;
  const looksLike = detectFormat(lines);
  if (looksLike === format) return undefined;
  const hint =
    looksLike !== undefined
      ? `; the lines look like ${looksLike}: did you mean --format ${looksLike}?`
      : '; the lines look like no format this tool reads (hubble, calico-flowlog, calico-iptables)';
  return `${name}:${first.line}: not ${format} (${first.reason}: ${first.detail})${hint}`;
}
