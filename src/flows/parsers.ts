// The parser registry: which line parser serves which `--format`, the byte-level guard every
// file reader goes through (size bound, strict UTF-8, CRLF), and format sniffing for
// `--format auto`. Pure: no I/O; the reader hands in one line's bytes at a time.
import { MAX_LINE_BYTES_DEFAULT, reject } from './flow.js';
import type { IngestParser, IngestResult, LineParser, ParseResult } from './flow.js';
import { hubbleParser } from './hubble.js';
import { calicoFlowLogParser } from './calico-flowlog.js';
import { calicoIptablesParser } from './calico-iptables.js';
import type { CalicoIptablesOptions } from './calico-iptables.js';
import { isRecord } from '../lib/is-record.js';

export type FlowFormat = 'hubble' | 'calico-flowlog' | 'calico-iptables';
export const FLOW_FORMATS: readonly FlowFormat[] = ['hubble', 'calico-flowlog', 'calico-iptables'];

export function isFlowFormat(value: string): value is FlowFormat {
  return (FLOW_FORMATS as readonly string[]).includes(value);
}

/** Options some formats need because the core has no clock (classic syslog has no year). */
export type ParserOptions = CalicoIptablesOptions;

/**
 * A new line parser for a format, with its own memo (labels, workloads, the last minute): each
 * source creates its own and nothing is shared. For `calico-iptables` with classic syslog
 * timestamps (`May 18 18:42:44`), pass `{ year }` (the adapter knows the clock; the core does not).
 */
export function parserFor(format: FlowFormat, options: ParserOptions = {}): LineParser {
  switch (format) {
    case 'hubble':
      return hubbleParser().parseLine;
    case 'calico-flowlog':
      return calicoFlowLogParser();
    case 'calico-iptables':
      return calicoIptablesParser(options);
  }
}

/**
 * The parser the store's ingest path uses: the format's parser, except that Hubble events that
 * start no connection (replies, mid-stream packets: most of a capture) are validated without
 * being built (VALID_NON_START); accepted and rejected lines are exactly those of parserFor.
 */
export function ingestParserFor(format: FlowFormat, options: ParserOptions = {}): IngestParser {
  return format === 'hubble' ? hubbleParser().ingestLine : parserFor(format, options);
}

// One decoder for all lines: `decode` without `{stream: true}` starts fresh on every call.
// `fatal` turns malformed UTF-8 into an exception instead of U+FFFD; the default
// `ignoreBOM: false` drops a leading byte-order mark.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses one line given as bytes (without its `\n`): rejects lines over `maxLineBytes` before
 * decoding, rejects invalid UTF-8, strips a trailing `\r` (CRLF files), then runs the parser.
 * Never throws.
 */
export function parseLineBytes(parser: LineParser, bytes: Uint8Array, maxLineBytes?: number): ParseResult;
export function parseLineBytes(parser: IngestParser, bytes: Uint8Array, maxLineBytes?: number): IngestResult;
export function parseLineBytes(
  parser: IngestParser,
  bytes: Uint8Array,
  maxLineBytes: number = MAX_LINE_BYTES_DEFAULT,
): IngestResult {
  if (bytes.length > maxLineBytes)
    return reject('oversized_line', `line of ${bytes.length} bytes exceeds ${maxLineBytes}`);
  let line: string;
  try {
    line = utf8.decode(bytes);
  } catch {
    return reject('invalid_utf8', 'line is not valid UTF-8');
  }
  if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
  try {
    return parser(line);
  } catch (error) {
    // Parsers are total by contract; this is the last line of defence for a parser bug, and it
    // keeps one bad line from stopping an ingest.
    return reject(
      'unparseable_line',
      `parser failed: ${error instanceof Error ? error.name : 'unknown error'}`,
    );
  }
}

function sniffLine(line: string): FlowFormat | undefined {
  const text = line.trim();
  if (text.length === 0) return undefined;
  if (text.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!isRecord(value)) return undefined;
    if (
      'flow' in value ||
      'node_status' in value ||
      'lost_events' in value ||
      'agent_event' in value ||
      'debug_event' in value
    )
      return 'hubble';
    if ('verdict' in value && ('IP' in value || 'l4' in value || 'source' in value)) return 'hubble';
    if (
      'reporter' in value ||
      'source_type' in value ||
      'dest_type' in value ||
      'source_name_aggr' in value ||
      'num_flows_started' in value
    ) {
      return 'calico-flowlog';
    }
    return undefined;
  }
  if (text.includes(' IN=') && text.includes(' SRC=') && text.includes(' PROTO=')) return 'calico-iptables';
  return undefined;
}

/**
 * Guesses the format from the first lines of a file (`--format auto`): the format most sample
 * lines look like, or undefined when none is recognised (the caller then asks for `--format`).
 */
export function sniffFormat(sampleLines: readonly string[]): FlowFormat | undefined {
  const votes = new Map<FlowFormat, number>();
  for (const line of sampleLines.slice(0, 200)) {
    if (line.length > MAX_LINE_BYTES_DEFAULT) continue;
    const format = sniffLine(line);
    if (format !== undefined) votes.set(format, (votes.get(format) ?? 0) + 1);
  }
  let best: FlowFormat | undefined;
  let bestVotes = 0;
  for (const format of FLOW_FORMATS) {
    const n = votes.get(format) ?? 0;
    if (n > bestVotes) {
      best = format;
      bestVotes = n;
    }
  }
  return best;
}
