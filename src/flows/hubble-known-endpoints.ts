// Endpoint object texts a Hubble parser has read before: a pod's `source`/`destination` object
// repeats character for character in every line of its flows (about 70% of a line), so the line
// scanner (hubble-scan.ts) compares that stretch with a remembered text instead of reading it
// again, and hands out the remembered parse of it: deeply frozen, so that endpointOf reuses the
// Endpoint it built for it (as for the relay decoder's shared objects). A text is remembered only
// after the scanner has read it as one complete JSON object, so equal text means equal value.
// Bounded (texts, their length, texts per bucket); cleared when full, like the label cache.

/** A remembered endpoint object text and its parse, deeply frozen. */
export interface KnownEndpoint {
  readonly text: string;
  readonly value: Readonly<Record<string, unknown>>;
}

/** The remembered texts of one parser, in slots by a hash of their first characters. */
export interface KnownEndpoints {
  slots: (KnownEndpoint[] | undefined)[];
  size: number;
}

const SLOTS = 4096;

export function newKnownEndpoints(): KnownEndpoints {
  return { slots: new Array<KnownEndpoint[] | undefined>(SLOTS).fill(undefined), size: 0 };
}

/** Characters of an endpoint text that pick its bucket: ID and identity come first in Hubble's. */
const HASH_CHARS = 40;
/** Texts in one slot (one identity's pods on several nodes, or hashes alike) kept side by side. */
const BUCKET_MAX = 8;
const KNOWN_MAX = 8192;
/** Longer endpoint texts are not remembered (their labels alone make them unusual). */
export const KNOWN_TEXT_MAX_CHARS = 16_384;

function slotAt(text: string, start: number): number {
  const end = Math.min(text.length, start + HASH_CHARS);
  let hash = 0;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  // Mixed so that the low bits depend on every character (the texts differ in a few digits).
  hash = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b);
  return (hash ^ (hash >>> 16)) & (SLOTS - 1);
}

/** The remembered text that `line` holds at `start`, if any. */
export function knownAt(known: KnownEndpoints, line: string, start: number): KnownEndpoint | undefined {
  if (known.size === 0) return undefined;
  const bucket = known.slots[slotAt(line, start)];
  if (bucket === undefined) return undefined;
  for (let i = 0; i < bucket.length; i++) {
    const entry = bucket[i] as KnownEndpoint;
    const end = start + entry.text.length;
    if (end <= line.length && line.slice(start, end) === entry.text) return entry;
  }
  return undefined;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  Object.freeze(value);
}

/**
 * Remembers `line.slice(start, end)`, which the caller has read as one complete JSON object, and
 * returns its parse (deeply frozen): JSON.parse of a copy of the text, so that nothing remembered
 * keeps the line alive.
 */
export function rememberEndpoint(
  known: KnownEndpoints,
  line: string,
  start: number,
  end: number,
): Readonly<Record<string, unknown>> {
  const text = detached(line.slice(start, end));
  const value = JSON.parse(text) as Record<string, unknown>;
  deepFreeze(value);
  if (text.length > KNOWN_TEXT_MAX_CHARS) return value;
  if (known.size >= KNOWN_MAX) {
    known.slots = new Array<KnownEndpoint[] | undefined>(SLOTS).fill(undefined);
    known.size = 0;
  }
  const entry: KnownEndpoint = { text, value };
  const slot = slotAt(line, start);
  const bucket = known.slots[slot];
  if (bucket === undefined) known.slots[slot] = [entry];
  else {
    if (bucket.length >= BUCKET_MAX) {
      bucket.shift();
      known.size--;
    }
    bucket.push(entry);
  }
  known.size++;
  return value;
}

/**
 * The same characters without a reference to the string they were cut from: V8 keeps a slice of
 * 13 or more characters as a view of its parent (here a whole line of up to maxLineBytes), while
 * flattening the concatenation copies. A string that outlives the line (an address in an edge of
 * the batch, a remembered text) must not keep the line alive.
 */
export function detached(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}
