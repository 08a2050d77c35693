import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { isSafePlain, toYamlStream } from './yaml-export.js';

const hostile = fc.oneof(
  fc.constantFrom(':', 'a: b', '#x', 'x #y', "'", '"', "it's \"q\"", '*a', '&a', '!!binary', 'yes', 'no', 'on', 'off', 'Y', 'n', 'true', 'null', '~', '', ' lead', 'trail ', '12', '0o12', '0x1F', '1e3', '1_000', '12:30', '.inf', '-', '---', '...', '{}', '[a]', '@x', '`x', '%x', 'a\nb', '\n', 'a\tb', 'é', '\u2028'),
  fc.string(),
  fc.string({ unit: 'binary' }),
);
const labelMap = fc.dictionary(hostile, hostile, { maxKeys: 8 });

function policy(labels: Record<string, string>, annotations: Record<string, string>, name: string) {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name, namespace: name, labels, annotations },
    spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: labels } }], ports: [{ protocol: 'TCP', port: 443 }] }] },
  };
}

describe('YAML export', () => {
  it('round-trips hostile keys and values exactly, as YAML 1.1 and 1.2, one document each', () => {
    fc.assert(fc.property(labelMap, labelMap, hostile, hostile, (labels, annotations, name, comment) => {
      const objects = [policy(labels, annotations, name), policy(annotations, labels, comment)];
      const text = toYamlStream(objects.map((object) => ({ object, header: comment, rules: [{ direction: 'ingress', index: 0, comment } as never] })));
      for (const version of ['1.1', '1.2'] as const) {
        const docs = parseAllDocuments(text, { version });
        expect(Array.isArray(docs) ? docs.length : -1).toBe(2);
        if (!Array.isArray(docs)) return;
        for (const doc of docs) expect(doc.errors).toEqual([]);
        expect(docs.map((doc) => doc.toJS() as unknown)).toEqual(objects);
      }
    }), { numRuns: 150 });
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
    const text = toYamlStream([{ object: policy({}, {}, 'x'), rules: [{ direction: 'ingress', index: 0, comment: 'from a\nkind: Secret' } as never] }]);
    expect(text).toContain('# from a kind: Secret');
    expect(text).not.toMatch(/^kind: Secret/m);
  });
});
