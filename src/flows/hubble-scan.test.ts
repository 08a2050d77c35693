// The line reader that replaces JSON.parse for Hubble's own lines (hubble-scan.ts) and the endpoint
// texts it remembers (hubble-known-endpoints.ts) must change nothing: a long-lived parser, which
// has read and remembered many endpoints, gives for every line exactly what a parser that
// JSON.parses the line gives. Checked on real captures (../shared/fixtures, our fixtures, demo
// data, bench lines) and on adversarial lines made from them: characters inserted or removed,
// escapes, whitespace, reordered and repeated keys, `__proto__`, odd numbers, a remembered
// endpoint text followed by something else, attacker-chosen label values, oversized lines.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES_DEFAULT, reject, type IngestResult, type ParseResult } from './flow.js';
import { hubbleParser, normalizeHubbleFlow } from './hubble.js';
import { scanHubbleLine, READ_AT_TOP, READ_IN_FLOW } from './hubble-scan.js';
import { newKnownEndpoints } from './hubble-known-endpoints.js';
import { generateHubbleLines } from '../../bench/generate-flows.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const sharedDir = path.resolve(repoRoot, '../shared/fixtures');
const linesOf = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const sharedLines = existsSync(sharedDir)
  ? readdirSync(sharedDir)
      .filter((f) => f.startsWith('hubble') && f.endsWith('.jsonl'))
      .flatMap((f) => linesOf(path.join(sharedDir, f)))
  : [];
const seedLines = [
  ...linesOf(path.join(repoRoot, 'test/fixtures/flows/hubble-observe.jsonl')),
  ...linesOf(path.join(repoRoot, 'demo/flows.jsonl')).slice(0, 300),
  ...sharedLines,
  ...generateHubbleLines({ flows: 400, seed: 7 }),
];

/** What parseLine gives when it JSON.parses the line (the reader it had before hubble-scan.ts). */
function parsedInFull(line: string): ParseResult {
  if (line.length > MAX_LINE_BYTES_DEFAULT) return reject('oversized_line', `line of ${line.length} chars`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return reject('invalid_json', 'line is not valid JSON');
  }
  return normalizeHubbleFlow(value);
}

/** One parser for the whole file: it remembers every endpoint of the seed lines. */
const parser = hubbleParser();
for (const line of seedLines) parser.ingestLine(line);

function expectExact(line: string): void {
  const full = parsedInFull(line);
  expect(parser.parseLine(line)).toEqual(full);
  const ingest: IngestResult = parser.ingestLine(line);
  if (ingest.ok && ingest.flow === null) {
    expect(full.ok && !full.flow.isConnectionStart && full.flow.established === undefined).toBe(true);
    expect(ingest.noEdge).toBe(full.ok ? full.flow.noEdge : 'unreachable');
  } else expect(ingest).toEqual(full);
}

/** The fields of JSON.parse(line) that the Hubble parser reads (what scanHubbleLine promises). */
function readFields(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (Object.hasOwn(value, key)) out[key] = value[key];
  return out;
}
function projected(event: Record<string, unknown>): Record<string, unknown> {
  const out = readFields(event, READ_AT_TOP);
  const flow = out.flow;
  if (typeof flow === 'object' && flow !== null && !Array.isArray(flow))
    out.flow = readFields(flow as Record<string, unknown>, READ_IN_FLOW);
  return out;
}

/**
 * One edit of a line, as an attacker or a broken writer might make it: where `structural` is set,
 * next to a structural character (quote, brace, bracket, comma, colon), which is where a reader's
 * mistakes show: the ends of strings, numbers, endpoint objects and remembered texts.
 */
const where = { at: fc.nat(), structural: fc.boolean(), offset: fc.integer({ min: -2, max: 2 }) };
const edit = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), ...where, text: fc.constantFrom(...EDIT_TEXTS()) }),
  fc.record({ kind: fc.constant('delete' as const), ...where, length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('replace' as const), ...where, text: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant('replace' as const), ...where, text: fc.constantFrom(...EDIT_TEXTS()) }),
);
function EDIT_TEXTS(): string[] {
  return [
    ' ',
    '\t',
    '\\',
    '\\u0041',
    '\\"',
    '"',
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '0',
    '-0',
    '1e400',
    '.5',
    '\u0000',
    '\u001f',
    '\u2028',
    '\ud800',
    'é',
    'null',
    'true',
    ',"x":1',
    ',"__proto__":{"source":1}',
    ',"source":{"identity":2}',
    ',"destination":"x"',
    ',"flow":null',
    ',"verdict":"DROPPED"',
    ',"node_status":{}',
    ',"labels":["k8s:app=evil"]',
    '.',
    'e',
    'E+',
    '-',
    '+',
    '01',
    '1.',
    '1e',
    'tru',
    'nul',
    '"a"',
    '{}',
    '[]',
    ']}',
    '}}',
  ];
}
function applyEdit(line: string, e: EditValue): string {
  let at = e.at % (line.length + 1);
  if (e.structural) {
    const marks: number[] = [];
    for (let i = 0; i < line.length; i++) if ('"{}[],:'.includes(line.charAt(i))) marks.push(i);
    if (marks.length > 0) at = Math.max(0, (marks[e.at % marks.length] as number) + e.offset);
  }
  if (e.kind === 'insert') return line.slice(0, at) + e.text + line.slice(at);
  if (e.kind === 'delete') return line.slice(0, at) + line.slice(at + e.length);
  return line.slice(0, at) + e.text + line.slice(at + e.text.length);
}
interface Where {
  at: number;
  structural: boolean;
  offset: number;
}
type EditValue =
  | (Where & { kind: 'insert'; text: string })
  | (Where & { kind: 'delete'; length: number })
  | (Where & { kind: 'replace'; text: string });

/** A line re-serialised with its keys shuffled, a key repeated, or a value swapped for arbitrary JSON. */
function reshaped(line: string, seed: number, value: unknown, mode: number): string {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return line;
  const record = event as Record<string, unknown>;
  const target = (typeof record.flow === 'object' && record.flow !== null ? record.flow : record) as Record<
    string,
    unknown
  >;
  const keys = Object.keys(target);
  const key = keys[seed % Math.max(1, keys.length)] ?? 'source';
  let text = JSON.stringify(event);
  if (mode === 0) {
    // Reordered keys: rotate the flow's keys.
    const rotated: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const k = keys[(i + seed) % keys.length] as string;
      rotated[k] = target[k];
    }
    text = JSON.stringify(target === record ? rotated : { ...record, flow: rotated });
  } else if (mode === 1) {
    // A repeated key: JSON.parse keeps the last.
    const inner = JSON.stringify(target);
    const repeated = `${inner.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}}`;
    text = target === record ? repeated : text.replace(inner, repeated);
  } else if (mode === 2) {
    target[key] = value;
    text = JSON.stringify(event);
  } else if (mode === 4) {
    // A field left out (what the parser reads instead, e.g. drop_reason without drop_reason_desc).
    delete target[key];
    text = JSON.stringify(event);
  } else {
    // A label value chosen by the attacker on one endpoint.
    const side = target[seed % 2 === 0 ? 'source' : 'destination'];
    if (typeof side === 'object' && side !== null && Array.isArray((side as { labels?: unknown }).labels))
      (side as { labels: unknown[] }).labels.push(`k8s:app=${JSON.stringify(value) ?? ''}`);
    text = JSON.stringify(event);
  }
  return text;
}

describe('scanHubbleLine', () => {
  it('takes the lines Hubble writes (else it would save nothing)', () => {
    const known = newKnownEndpoints();
    const taken = seedLines.filter((l) => scanHubbleLine(l, known) !== undefined).length;
    expect(taken).toBeGreaterThan(seedLines.length * 0.9);
  });

  it('gives what JSON.parse gives in every field the parser reads, or nothing', () => {
    const known = newKnownEndpoints();
    for (const line of seedLines) scanHubbleLine(line, known);
    fc.assert(
      fc.property(fc.constantFrom(...seedLines), fc.array(edit, { maxLength: 3 }), (line, edits) => {
        const edited = edits.reduce((l, e) => applyEdit(l, e), line);
        const scanned = scanHubbleLine(edited, known);
        if (scanned === undefined) return;
        const parsed: unknown = JSON.parse(edited); // throws (fails the test) if the reader took invalid JSON
        expect(scanned).toEqual(projected(parsed as Record<string, unknown>));
      }),
      { numRuns: 4000 },
    );
  });

  it('reads every generated JSON object without escapes as JSON.parse does', () => {
    // Strings JSON.stringify writes without an escape: no quote, backslash or control character.
    const plain = fc.string({ maxLength: 8 }).filter((s) => {
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c === 34 || c === 92 || c < 32) return false;
      }
      return true;
    });
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        plain,
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.oneof(plain, fc.constantFrom(...READ_AT_TOP)), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    const known = newKnownEndpoints();
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(plain, fc.constantFrom(...READ_AT_TOP)), json), (event) => {
        const line = JSON.stringify(event);
        const scanned = scanHubbleLine(line, known);
        if (scanned !== undefined)
          expect(scanned).toEqual(projected(JSON.parse(line) as Record<string, unknown>));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes a number, literal or string exactly when JSON.parse does, with its value', () => {
    const known = newKnownEndpoints();
    const token = fc.oneof(
      fc.stringMatching(/^[-+]?[0-9.eE+-]{1,7}$/),
      fc.constantFrom(
        '1.',
        '.1',
        '01',
        '-',
        '-0',
        '1e',
        '1e+',
        '1E-2',
        '0.0e0',
        'tru',
        'nulls',
        '"a',
        'true',
      ),
      fc.double().map((n) => JSON.stringify(n)),
    );
    fc.assert(
      fc.property(token, fc.constantFrom('drop_reason', 'x'), (text, key) => {
        for (const line of [`{"flow":{"${key}":${text}}}`, `{"flow":{"IP":[${text}]},"${key}":${text}}`]) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(line);
          } catch {
            expect(scanHubbleLine(line, known)).toBeUndefined();
            continue;
          }
          const scanned = scanHubbleLine(line, known);
          if (scanned !== undefined) expect(scanned).toEqual(projected(parsed as Record<string, unknown>));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('the parser reads no key of the event or the flow outside READ_AT_TOP and READ_IN_FLOW', () => {
    const readKeys = new Set<string>();
    const watched = (value: Record<string, unknown>): Record<string, unknown> =>
      new Proxy(value, {
        get(target, key, receiver) {
          if (typeof key === 'string') readKeys.add(key);
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
    // Each line as it is and without each one of its flow's keys (a parser reads fallbacks then).
    for (const line of seedLines) {
      const event = JSON.parse(line) as Record<string, unknown>;
      const flow = (typeof event.flow === 'object' && event.flow !== null ? event.flow : event) as Record<
        string,
        unknown
      >;
      for (const left of [undefined, ...Object.keys(flow)]) {
        const copy = { ...flow };
        if (left !== undefined) delete copy[left];
        normalizeHubbleFlow(flow === event ? watched(copy) : watched({ ...event, flow: watched(copy) }));
      }
    }
    const allowed = new Set<string>([...READ_AT_TOP, ...READ_IN_FLOW]);
    expect([...readKeys].filter((k) => !allowed.has(k))).toEqual([]);
    expect(readKeys.has('source')).toBe(true);
  });
});

describe('a parser that remembers endpoints', () => {
  it('parses every seed line as JSON.parse would', () => {
    for (const line of seedLines) expectExact(line);
  });

  it('parses edited lines as JSON.parse would', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seedLines), fc.array(edit, { maxLength: 3 }), (line, edits) => {
        expectExact(edits.reduce((l, e) => applyEdit(l, e), line));
      }),
      { numRuns: 4000 },
    );
  });

  it('parses reshaped lines (key order, repeated keys, arbitrary values, labels) as JSON.parse would', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seedLines),
        fc.nat(),
        fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.constantFrom('', 'k8s:app=x', -0, 2 ** 40, null, [], {}, 'a'.repeat(500), '\u2028', 'é'),
        ),
        fc.integer({ min: 0, max: 5 }),
        (line, seed, value, mode) => {
          expectExact(reshaped(line, seed, value, mode));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads a `__proto__` key as JSON.parse does (an own field, not the prototype)', () => {
    const line = seedLines[0] as string;
    for (const variant of [
      line.replace(/"IP":\{"source":"[^"]*",/, '"IP":{"__proto__":{"source":"10.9.9.9"},'),
      line.replace('"l4":{', '"l4":{"__proto__":{"UDP":{"destination_port":53}},'),
      line.replace('"flow":{', '"flow":{"__proto__":{"drop_reason":181},'),
      line.replace('{"flow":', '{"__proto__":{"flow":{}},"flow":'),
    ]) {
      expect(variant).not.toBe(line);
      expectExact(variant);
    }
  });

  it('does not take an endpoint that only starts like a remembered one', () => {
    for (const line of seedLines.slice(0, 200)) {
      const event = JSON.parse(line) as { flow?: { source?: unknown } };
      const text = JSON.stringify(event.flow?.source ?? null);
      const at = line.indexOf(text);
      if (!text.startsWith('{') || at < 0) continue;
      const end = at + text.length;
      for (const tail of [',"identity":2}', ',"labels":["reserved:world"]}', ',"x":1}', ']', ',', ' }'])
        expectExact(line.slice(0, end - 1) + tail + line.slice(end));
    }
  });

  it('rejects an oversized line as before', () => {
    const line = seedLines[0] as string;
    const big = line.replace('"flow":{', `"pad":"${'x'.repeat(MAX_LINE_BYTES_DEFAULT)}","flow":{`);
    expectExact(big);
    expect(parser.parseLine(big)).toMatchObject({ ok: false, reason: 'oversized_line' });
  });
});
