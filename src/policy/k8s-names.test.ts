// The API server's name and label rules at their edges (lengths 63/64, 253/254, the qualified
// name prefix, empty label values, IANA port names), and that a message never echoes more than a
// bounded piece of a hostile value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dns1035LabelProblem,
  dns1123LabelProblem,
  dns1123SubdomainProblem,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelKey,
  isLabelValue,
  isServicePortName,
  labelValueProblem,
  qualifiedNameProblem,
} from './k8s-names.js';

describe('DNS-1123 label (namespaces)', () => {
  it.each(['a', '0', 'kube-system', 'a'.repeat(63), '1-2', 'x9'])('accepts %j', (v) =>
    expect(isDns1123Label(v)).toBe(true),
  );
  it.each(['', 'a'.repeat(64), 'Shop', '-a', 'a-', 'a.b', 'a_b', "' OR 1=1 --", '{{x}}', 'ä', 'a b', 'a\n'])(
    'refuses %j',
    (v) => expect(isDns1123Label(v)).toBe(false),
  );
});

describe('DNS-1123 subdomain (object names)', () => {
  const label63 = 'a'.repeat(63);
  it.each(['a', 'web.shop', `${label63}.${label63}.${label63}.${'b'.repeat(61)}`, 'a-b.c-d', '0.0'])(
    'accepts %j',
    (v) => expect(isDns1123Subdomain(v)).toBe(true),
  );
  it.each([
    '',
    `${label63}.${label63}.${label63}.${'b'.repeat(62)}`,
    'a..b',
    '.a',
    'a.',
    'A.b',
    'a.-b',
    'a/b',
    '%',
    '..',
    '{{x}}',
  ])('refuses %j', (v) => expect(isDns1123Subdomain(v)).toBe(false));
  it('names the length when too long, without echoing the value', () => {
    const problem = dns1123SubdomainProblem('x'.repeat(100_000)) ?? '';
    expect(problem).toContain('253');
    expect(problem.length).toBeLessThan(200);
  });
  it('quotes a hostile value short', () => {
    const problem = dns1123SubdomainProblem('X'.repeat(200)) ?? '';
    expect(problem.length).toBeLessThan(300);
    expect(dns1123LabelProblem("' OR 1=1 --")).toContain(JSON.stringify("' OR 1=1 --"));
  });
});

describe('DNS-1035 label (Service names)', () => {
  it('must start with a letter', () => {
    expect(dns1035LabelProblem('web')).toBeUndefined();
    expect(dns1035LabelProblem('1web')).toBeDefined();
  });
});

describe('label keys (qualified names)', () => {
  it.each([
    'app',
    'app.kubernetes.io/name',
    'A_b.C-d',
    'x/y',
    `${'p'.repeat(253)}/n`,
    `k/${'n'.repeat(63)}`,
    'a',
  ])('accepts %j', (v) => expect(isLabelKey(v)).toBe(true));
  it.each([
    '',
    '/a',
    'a/',
    'a/b/c',
    `${'p'.repeat(254)}/n`,
    `k/${'n'.repeat(64)}`,
    'n'.repeat(64),
    'Example.com/a',
    '-a',
    'a-',
    '_a',
    'a b',
    '{{x}}',
  ])('refuses %j', (v) => expect(isLabelKey(v)).toBe(false));
  it('says which part is wrong', () => {
    expect(qualifiedNameProblem('Bad.Prefix/x')).toMatch(/^prefix part/);
    expect(qualifiedNameProblem(`k/${'n'.repeat(64)}`)).toMatch(/name part must be no more than 63/);
  });
});

describe('label values', () => {
  it.each(['', 'v1', 'A.b_c-d', 'x'.repeat(63), '0'])('accepts %j', (v) =>
    expect(isLabelValue(v)).toBe(true),
  );
  it.each(['x'.repeat(64), '-a', 'a-', 'a/b', 'a b', '{{x}}', "' OR 1=1 --"])('refuses %j', (v) =>
    expect(isLabelValue(v)).toBe(false),
  );
  it('a 100,000-character value is refused by its length', () => {
    expect(labelValueProblem('v'.repeat(100_000))).toBe('must be no more than 63 characters (got 100000)');
  });
});

describe('named ports (IANA_SVC_NAME)', () => {
  it.each(['http', 'h2c', 'web-1', 'a'.repeat(15)])('accepts %j', (v) =>
    expect(isServicePortName(v)).toBe(true),
  );
  it.each(['', 'a'.repeat(16), '8080', 'a--b', '-a', 'a-', 'Http', 'a_b'])('refuses %j', (v) =>
    expect(isServicePortName(v)).toBe(false),
  );
});

describe('agreement with the character classes, for generated strings', () => {
  it('a label is a subdomain; a subdomain of one segment within 63 characters is a label', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'z', '0', '-', '.', 'A', '_'), maxLength: 70 }),
        (s) => {
          if (isDns1123Label(s)) expect(isDns1123Subdomain(s)).toBe(true);
          if (isDns1123Subdomain(s) && !s.includes('.') && s.length <= 63)
            expect(isDns1123Label(s)).toBe(true);
          // A label value is a label key (no prefix) once non-empty.
          if (isLabelValue(s) && s !== '') expect(isLabelKey(s)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
