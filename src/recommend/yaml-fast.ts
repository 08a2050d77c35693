// A direct YAML writer for the plain shapes the recommender emits (maps, sequences, strings,
// integers, booleans, null), producing byte for byte what the yaml library's Document API writes
// for them in yaml-export.ts (lineWidth 0, ambiguous strings double quoted, comments before rule
// items), at a fraction of the cost: the library builds a node tree per document and visits it.
// Anything outside those shapes returns undefined and the caller uses the library: a string whose
// double-quoted form needs an escape other than \" and \\ (control characters, newlines: the
// library folds and escapes those in its own way), a key longer than 1,000 characters (the library
// writes an explicit `? key`), a non-integer number, a shared object (the library writes an anchor
// and an alias), anything but a plain object or array. The property test in yaml-export.test.ts
// compares both writers' bytes on generated hostile input, and both parse back to the input.
import { isSafePlain } from './yaml-plain.js';

/** Longest key written inline; the library switches to an explicit key above 1,024 characters. */
const MAX_INLINE_KEY = 1000;

/** JSON's \" and \\ escapes, matched left to right (so `\\n` is a backslash and an n). */
const QUOTE_OR_BACKSLASH_ESCAPE_RE = /\\["\\]/g;

class Unsupported extends Error {}

function scalarText(value: unknown): string {
  if (typeof value === 'string') {
    if (isSafePlain(value)) return value;
    const json = JSON.stringify(value);
    // Any other escape (\n, \t, \u…) is written differently by the library: leave it to it.
    if (json.includes('\\') && json.replace(QUOTE_OR_BACKSLASH_ESCAPE_RE, '').includes('\\'))
      throw new Unsupported();
    return json;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw new Unsupported();
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return 'null';
  throw new Unsupported();
}

function keyText(key: string): string {
  if (key.length > MAX_INLINE_KEY) throw new Unsupported();
  return scalarText(key);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

interface Writer {
  out: string;
  readonly seen: Set<object>;
  /** Comment lines (already one line) before an item, by the item's identity. */
  readonly comments: ReadonlyMap<unknown, string>;
}

function enter(w: Writer, value: object): void {
  if (w.seen.has(value)) throw new Unsupported();
  w.seen.add(value);
}

/** Writes a map's entries, the first one after `firstPrefix` (already written), the rest at `indent`. */
function writeMapBody(w: Writer, map: Record<string, unknown>, indent: string, first: boolean): void {
  let isFirst = first;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    if (!isFirst) w.out += indent;
    isFirst = false;
    w.out += `${keyText(key)}:`;
    writeValue(w, value, indent);
  }
}

/** The value after `key:` at `indent` (a space and a scalar/empty collection, or a new block). */
function writeValue(w: Writer, value: unknown, indent: string): void {
  if (typeof value !== 'object' || value === null) {
    w.out += ` ${scalarText(value)}\n`;
    return;
  }
  enter(w, value);
  if (Array.isArray(value)) {
    if (value.length === 0) {
      w.out += ' []\n';
      return;
    }
    w.out += '\n';
    writeSeqItems(w, value, `${indent}  `);
    return;
  }
  if (!isPlainObject(value)) throw new Unsupported();
  if (!Object.keys(value).some((k) => value[k] !== undefined)) {
    w.out += ' {}\n';
    return;
  }
  w.out += '\n';
  writeMapBody(w, value, `${indent}  `, false);
}

function writeSeqItems(w: Writer, items: readonly unknown[], indent: string): void {
  for (const item of items) {
    const comment = w.comments.get(item);
    if (comment !== undefined) w.out += `${indent}${commentLine(comment)}\n`;
    w.out += `${indent}-`;
    if (typeof item !== 'object' || item === null) {
      if (item === undefined) throw new Unsupported();
      w.out += ` ${scalarText(item)}\n`;
      continue;
    }
    enter(w, item);
    if (Array.isArray(item) || !isPlainObject(item)) throw new Unsupported();
    if (!Object.keys(item).some((k) => item[k] !== undefined)) {
      w.out += ' {}\n';
      continue;
    }
    w.out += ' ';
    writeMapBody(w, item, `${indent}  `, true);
  }
}

/** As the library writes a one-line commentBefore of ` ${text}`: an empty text leaves a bare `#`. */
function commentLine(text: string): string {
  return text === '' ? '#' : `# ${text}`;
}

/**
 * One document (without the `---` line): `object` a plain map; `header` and the item comments
 * (keyed by the item object) already reduced to one line each.
 */
export function fastYamlDocument(
  object: unknown,
  header: string | undefined,
  comments: ReadonlyMap<unknown, string>,
): string | undefined {
  if (typeof object !== 'object' || object === null || Array.isArray(object) || !isPlainObject(object))
    return undefined;
  const w: Writer = {
    out: header !== undefined ? `${commentLine(header)}\n\n` : '',
    seen: new Set(),
    comments,
  };
  try {
    enter(w, object);
    if (!Object.keys(object).some((k) => object[k] !== undefined)) return `${w.out}{}\n`;
    writeMapBody(w, object, '', true);
    return w.out;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
