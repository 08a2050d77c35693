// A Hubble line read without JSON.parse, for the lines Hubble writes: compact JSON (no whitespace
// between tokens) whose strings hold no escape. It validates the whole line as JSON but builds
// only what normalize and buildFlow read (READ_AT_TOP, READ_IN_FLOW, and everything under those),
// and a `source`/`destination` object seen before is compared with its remembered text instead of
// being read (hubble-known-endpoints.ts). Anything else — whitespace, a backslash, a raw control
// character, a `__proto__` key, deep nesting, or any JSON error — returns undefined, and the caller
// JSON.parses the line as before: for every line this reader takes, what it returns equals
// JSON.parse(line) in each field the Hubble parser reads (the property tests in
// hubble-scan.test.ts and the exactness tests of the ingest path check this).
//
// Why it is exact on the lines it takes: with no escape, a JSON string's value is the text between
// its quotes; a number's is Number() of its text, the conversion JSON.parse uses; objects get
// their keys in order, so a repeated key keeps its last value as with JSON.parse (`__proto__`,
// the one key whose assignment differs from JSON.parse's, is refused). A skipped value is still
// checked to be valid JSON.
import { detached, knownAt, rememberEndpoint, type KnownEndpoints } from './hubble-known-endpoints.js';

/** Keys of the event (envelope or bare flow) that normalize and buildFlow read. */
export const READ_IN_FLOW: readonly string[] = [
  'time',
  'verdict',
  'IP',
  'l4',
  'is_reply',
  'reply',
  'Type',
  'traffic_direction',
  'drop_reason_desc',
  'drop_reason',
  'source',
  'destination',
  'source_names',
  'destination_names',
  'ingress_allowed_by',
  'egress_allowed_by',
  'ingress_denied_by',
  'egress_denied_by',
  'node_name',
];
export const READ_AT_TOP: readonly string[] = [
  ...READ_IN_FLOW,
  'flow',
  'node_status',
  'lost_events',
  'agent_event',
  'debug_event',
];
/** Keys met inside what is read (IP, l4, flags, policies…): named without cutting them out of the line. */
const NESTED_KEYS = [
  'source',
  'destination',
  'source_xlated',
  'ipVersion',
  'encrypted',
  'TCP',
  'UDP',
  'SCTP',
  'ICMPv4',
  'ICMPv6',
  'VRRP',
  'IGMP',
  'source_port',
  'destination_port',
  'flags',
  'SYN',
  'ACK',
  'FIN',
  'RST',
  'PSH',
  'URG',
  'ECE',
  'CWR',
  'NS',
  'type',
  'code',
  'value',
  'seconds',
  'nanos',
  'name',
  'namespace',
  'labels',
  'revision',
  'kind',
];

/** Key names by the low bits of the hash keyEnd computes over their characters (an array read per key). */
type KeyTable = readonly (string | undefined)[];
const KEY_SLOTS = 1024;

function keyHash(key: string): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
  return hash;
}

function keyTable(keys: readonly string[]): KeyTable {
  const table: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);
  for (const key of keys) {
    const slot = keyHash(key) & (KEY_SLOTS - 1);
    // Two names of one table in one slot would hide one of them: a fault of this file, found at load.
    if ((table[slot] ?? key) !== key) throw new Error(`key slot shared: ${key} and ${table[slot]}`);
    table[slot] = key;
  }
  return table;
}

const FLOW_TABLE = keyTable(READ_IN_FLOW);
const TOP_TABLE = keyTable(READ_AT_TOP);
const NESTED_TABLE = keyTable(NESTED_KEYS);

/** Deeper than Hubble's flows nest (4): such lines go to JSON.parse. */
const MAX_DEPTH = 16;

/** What a build returns on a line it does not take. */
const REFUSED: unique symbol = Symbol('refused');

/** Where the reader is in the line; one per line. */
interface Cursor {
  readonly text: string;
  readonly known: KnownEndpoints;
  pos: number;
  /** keyHash of the last key read by keyEnd. */
  hash: number;
}

/** Index just past the closing quote of the string opening at `i`, or -1 (escape, control, end). */
function stringEnd(text: string, i: number): number {
  const n = text.length;
  for (let j = i + 1; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) return j + 1;
    if (c === 92 || c < 32) return -1;
  }
  return -1;
}

/** stringEnd of a key, leaving keyHash of its characters in the cursor. */
function keyEnd(cursor: Cursor, i: number): number {
  const text = cursor.text;
  const n = text.length;
  let hash = 0;
  for (let j = i + 1; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) {
      cursor.hash = hash;
      return j + 1;
    }
    if (c === 92 || c < 32) return -1;
    hash = (Math.imul(hash, 31) + c) | 0;
  }
  return -1;
}

/** Whether `text` holds exactly `key` from `start` to `end`. */
function isKeyAt(text: string, start: number, end: number, key: string): boolean {
  if (end - start !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (text.charCodeAt(start + i) !== key.charCodeAt(i)) return false;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Index just past the JSON number starting at `i`, or -1. */
function numberEnd(text: string, i: number): number {
  let j = i;
  let c = text.charCodeAt(j);
  if (c === 45) c = text.charCodeAt(++j);
  if (c === 48) c = text.charCodeAt(++j);
  else if (c >= 49 && c <= 57) {
    do c = text.charCodeAt(++j);
    while (isDigit(c));
  } else return -1;
  if (c === 46) {
    c = text.charCodeAt(++j);
    if (!isDigit(c)) return -1;
    do c = text.charCodeAt(++j);
    while (isDigit(c));
  }
  if (c === 101 || c === 69) {
    c = text.charCodeAt(++j);
    if (c === 43 || c === 45) c = text.charCodeAt(++j);
    if (!isDigit(c)) return -1;
    do c = text.charCodeAt(++j);
    while (isDigit(c));
  }
  return j;
}

/** Index just past the literal `word` at `i`, or -1. */
function literalEnd(text: string, i: number, word: string): number {
  return text.startsWith(word, i) ? i + word.length : -1;
}

/** Index just past the JSON value starting at `i` (checked, not built), or -1. */
function skipValue(text: string, i: number, depth: number): number {
  const c = text.charCodeAt(i);
  if (c === 34) return stringEnd(text, i);
  if (c === 123 || c === 91) {
    if (depth >= MAX_DEPTH) return -1;
    const close = c === 123 ? 125 : 93;
    let j = i + 1;
    if (text.charCodeAt(j) === close) return j + 1;
    for (;;) {
      if (c === 123) {
        if (text.charCodeAt(j) !== 34) return -1;
        j = stringEnd(text, j);
        if (j < 0 || text.charCodeAt(j) !== 58) return -1;
        j++;
      }
      j = skipValue(text, j, depth + 1);
      if (j < 0) return -1;
      const next = text.charCodeAt(j);
      if (next === close) return j + 1;
      if (next !== 44) return -1;
      j++;
    }
  }
  if (c === 116) return literalEnd(text, i, 'true');
  if (c === 102) return literalEnd(text, i, 'false');
  if (c === 110) return literalEnd(text, i, 'null');
  return numberEnd(text, i);
}

/** The value at the cursor, built; the cursor moves past it. */
function buildValue(cursor: Cursor, depth: number): unknown {
  const text = cursor.text;
  const i = cursor.pos;
  const c = text.charCodeAt(i);
  if (c === 34) {
    const end = stringEnd(text, i);
    if (end < 0) return REFUSED;
    cursor.pos = end;
    return detached(text.slice(i + 1, end - 1));
  }
  if (c === 123) return buildObject(cursor, depth, ALL_KEYS);
  if (c === 91) {
    if (depth >= MAX_DEPTH) return REFUSED;
    const list: unknown[] = [];
    cursor.pos = i + 1;
    if (text.charCodeAt(cursor.pos) === 93) {
      cursor.pos++;
      return list;
    }
    for (;;) {
      const value = buildValue(cursor, depth + 1);
      if (value === REFUSED) return REFUSED;
      list.push(value);
      const next = text.charCodeAt(cursor.pos++);
      if (next === 93) return list;
      if (next !== 44) return REFUSED;
    }
  }
  const end = skipValue(text, i, depth);
  if (end < 0) return REFUSED;
  cursor.pos = end;
  if (c === 116) return true;
  if (c === 102) return false;
  if (c === 110) return null;
  return Number(text.slice(i, end));
}

/** An endpoint object: the remembered one when its text is, else built and remembered. */
function endpointValue(cursor: Cursor, depth: number): unknown {
  const start = cursor.pos;
  const known = knownAt(cursor.known, cursor.text, start);
  if (known !== undefined) {
    cursor.pos = start + known.text.length;
    return known.value;
  }
  const end = skipValue(cursor.text, start, depth);
  if (end < 0) return REFUSED;
  cursor.pos = end;
  return rememberEndpoint(cursor.known, cursor.text, start, end);
}

/** How an object's keys are read: all of them, or only those the parser reads (event, flow). */
const ALL_KEYS = 0;
const EVENT_KEYS = 1;
const FLOW_KEYS = 2;
type KeyMode = typeof ALL_KEYS | typeof EVENT_KEYS | typeof FLOW_KEYS;

/**
 * The object at the cursor. In EVENT_KEYS and FLOW_KEYS modes only the keys the parser reads are
 * built (the rest is checked and skipped), the event's `flow` is read in FLOW_KEYS mode and
 * `source`/`destination` objects as endpoints.
 */
function buildObject(cursor: Cursor, depth: number, mode: KeyMode): unknown {
  if (depth >= MAX_DEPTH) return REFUSED;
  const text = cursor.text;
  const table = mode === EVENT_KEYS ? TOP_TABLE : mode === FLOW_KEYS ? FLOW_TABLE : NESTED_TABLE;
  const out: Record<string, unknown> = {};
  let j = cursor.pos + 1;
  if (text.charCodeAt(j) === 125) {
    cursor.pos = j + 1;
    return out;
  }
  for (;;) {
    if (text.charCodeAt(j) !== 34) return REFUSED;
    const end = keyEnd(cursor, j);
    if (end < 0 || text.charCodeAt(end) !== 58) return REFUSED;
    let key = table[cursor.hash & (KEY_SLOTS - 1)];
    if (key !== undefined && !isKeyAt(text, j + 1, end - 1, key)) key = undefined;
    const start = end + 1;
    if (key === undefined && mode !== ALL_KEYS) {
      // Not read by the parser: checked, not built.
      j = skipValue(text, start, depth + 1);
      if (j < 0) return REFUSED;
    } else {
      if (key === undefined) {
        key = text.slice(j + 1, end - 1);
        if (key === '__proto__') return REFUSED;
      }
      cursor.pos = start;
      const open = text.charCodeAt(start) === 123;
      const value =
        mode === EVENT_KEYS && key === 'flow' && open
          ? buildObject(cursor, depth + 1, FLOW_KEYS)
          : mode !== ALL_KEYS && open && (key === 'source' || key === 'destination')
            ? endpointValue(cursor, depth + 1)
            : buildValue(cursor, depth + 1);
      if (value === REFUSED) return REFUSED;
      out[key] = value;
      j = cursor.pos;
    }
    const next = text.charCodeAt(j);
    if (next === 125) {
      cursor.pos = j + 1;
      return out;
    }
    if (next !== 44) return REFUSED;
    j++;
  }
}

/**
 * The event of one Hubble line as the parser reads it (see the module comment), or undefined when
 * this reader does not take the line: then JSON.parse it.
 */
export function scanHubbleLine(line: string, known: KnownEndpoints): Record<string, unknown> | undefined {
  if (line.charCodeAt(0) !== 123) return undefined;
  const cursor: Cursor = { text: line, known, pos: 0, hash: 0 };
  const event = buildObject(cursor, 0, EVENT_KEYS);
  if (event === REFUSED || cursor.pos !== line.length) return undefined;
  return event as Record<string, unknown>;
}
