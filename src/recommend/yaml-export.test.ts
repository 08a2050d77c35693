import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { isSafePlain, libraryYamlDocumentText, toYamlStream, yamlDocumentText } from './yaml-export.js';
import { fastYamlDocument } from './yaml-fast.js';

const hostile = fc.oneof(
  fc.constantFrom(
    ':',
    'a: b',
    '#x',
    'x #y',
    "'",
    '"',
    'it\'s "q"',
    '*a',
    '&a',
    '!!binary',
    'yes',
    'no',
    'on',
    'off',
    'Y',
    'n',
    'true',
    'null',
    '~',
    '',
    ' lead',
    'trail ',
    '12',
    '0o12',
    '0x1F',
    '1e3',
    '1_000',
    '12:30',
    '.inf',
    '-',
    '---',
    '...',
    '{}',
    '[a]',
    '@x',
    '`x',
    '%x',
    'a\nb',
    '\n',
    'a\tb',
    'é',
    '\u2028',
  ),
  fc.string(),
  fc.string({ unit: 'binary' }),
);
const labelMap = fc.dictionary(hostile, hostile, { maxKeys: 8 });

function policy(labels: Record<string, string>, annotations: Record<string, string>, name: string) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: name, labels, annotations },
    spec: {
      podSelector: { matchLabels: labels },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: labels } }], ports: [{ protocol: 'TCP', port: 443 }] },
      ],
    },
  };
}

describe('YAML export', () => {
  it('round-trips hostile keys and values exactly, as YAML 1.1 and 1.2, one document each', () => {
    fc.assert(
      fc.property(labelMap, labelMap, hostile, hostile, (labels, annotations, name, comment) => {
        const objects = [policy(labels, annotations, name), policy(annotations, labels, comment)];
        const text = toYamlStream(
          objects.map((object) => ({
            object,
            header: comment,
            rules: [{ direction: 'ingress', index: 0, comment } as never],
          })),
        );
        for (const version of ['1.1', '1.2'] as const) {
          const docs = parseAllDocuments(text, { version });
          expect(Array.isArray(docs) ? docs.length : -1).toBe(2);
          if (!Array.isArray(docs)) return;
          for (const doc of docs) expect(doc.errors).toEqual([]);
          expect(docs.map((doc) => doc.toJS() as unknown)).toEqual(objects);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('writes YAML-special scalars quoted', () => {
    const text = toYamlStream([{ object: { a: 'yes', b: 'null', c: '*x', d: '12', e: 'plain-value' } }]);
    expect(text).toContain('a: "yes"');
    expect(text).toContain('b: "null"');
    expect(text).toContain('c: "*x"');
    expect(text).toContain('d: "12"');
    expect(text).toContain('e: plain-value');
    expect(isSafePlain('On')).toBe(false);
    for (const exponent of ['E0', 'e5', 'e-5', 'E+12']) expect(isSafePlain(exponent)).toBe(false);
    expect(isSafePlain('E_1')).toBe(true);
  });

  it('keeps rule comments on one line', () => {
    const text = toYamlStream([
      {
        object: policy({}, {}, 'x'),
        rules: [{ direction: 'ingress', index: 0, comment: 'from a\nkind: Secret' } as never],
      },
    ]);
    expect(text).toContain('# from a kind: Secret');
    expect(text).not.toMatch(/^kind: Secret/m);
  });

  it('writes the same bytes as the yaml library, hostile or not, with or without the fast path', () => {
    const printable = fc.string({
      unit: fc.constantFrom(
        'a',
        'Z',
        '0',
        '-',
        '.',
        '/',
        '_',
        ' ',
        ':',
        '#',
        '"',
        '\\',
        "'",
        '*',
        '&',
        'é',
        '\u2028',
      ),
    });
    const key = fc.oneof(printable, printable, hostile);
    const scalar = fc.oneof(
      printable,
      printable,
      hostile,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.double(),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(key, tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(
        fc.dictionary(key, tree, { maxKeys: 6 }),
        fc.array(tree, { maxLength: 4 }),
        fc.option(hostile),
        fc.array(fc.tuple(fc.nat(4), hostile), { maxLength: 3 }),
        (object, rulesSeq, header, comments) => {
          const doc = { ...object, spec: { ingress: rulesSeq } };
          const rules = comments.map(
            ([index, comment]) => ({ direction: 'ingress', index, comment }) as never,
          );
          const item = { object: doc, rules, ...(header !== null ? { header } : {}) };
          expect(yamlDocumentText(item)).toBe(libraryYamlDocumentText(item));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('writes the shapes it emits (no escapes, no nested sequences) on the fast path, as the library does', () => {
    const text = fc.string({
      unit: fc.constantFrom(
        'a',
        'Z',
        '0',
        '-',
        '.',
        '/',
        '_',
        ' ',
        ':',
        '#',
        '"',
        '\\',
        "'",
        '*',
        '&',
        '!',
        '%',
        '@',
        'é',
        '\u2028',
        '\u00a0',
      ),
    });
    // Comments arrive reduced to one line (no \u2028 either): yamlDocumentText does that first.
    const line = fc.string({ unit: fc.constantFrom('a', ' ', ':', '#', '"', '\\', 'é', '\u00a0') });
    const scalar = fc.oneof(
      text,
      fc.constantFrom('yes', 'Null', '~', '12', 'E0', '-', '---', ''),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        scalar,
        tie('map'),
        fc.array(fc.oneof(scalar, tie('map')), { maxLength: 4 }),
      ),
      map: fc.dictionary(text, tie('node'), { maxKeys: 4 }),
    })).node;
    fc.assert(
      fc.property(
        fc.dictionary(text, tree, { maxKeys: 6 }),
        fc.array(fc.dictionary(text, tree, { maxKeys: 3 }), { maxLength: 4 }),
        line,
        fc.array(fc.tuple(fc.nat(4), line), { maxLength: 3 }),
        (object, rulesSeq, header, comments) => {
          const doc = { ...object, spec: { ingress: rulesSeq } };
          const byItem = new Map<unknown, string>();
          for (const [index, comment] of comments)
            if (rulesSeq[index] !== undefined) byItem.set(rulesSeq[index], comment);
          const fast = fastYamlDocument(doc, header, byItem);
          expect(fast).toBeDefined();
          expect(fast).toBe(
            libraryYamlDocumentText({
              object: doc,
              header,
              rules: comments.map(([index, comment]) => ({ direction: 'ingress', index, comment }) as never),
            }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes the fast path for the shapes the recommender emits', () => {
    // A deep copy without shared objects: an object used twice is written by the library as an anchor and an alias.
    const object = JSON.parse(
      JSON.stringify(
        policy({ app: 'web', 'app.kubernetes.io/name': 'yes' }, { note: 'a: b "q" \\' }, 'allow-web'),
      ),
    ) as ReturnType<typeof policy>;
    const comments = new Map<unknown, string>([[object.spec.ingress[0], 'from x']]);
    const fast = fastYamlDocument(object, 'header', comments);
    expect(fast).toBeDefined();
    expect(fast).toBe(
      libraryYamlDocumentText({
        object,
        header: 'header',
        rules: [{ direction: 'ingress', index: 0, comment: 'from x' } as never],
      }),
    );
  });
});
