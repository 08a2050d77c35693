import { describe, expect, it } from 'vitest';
import { correctSelector, nearMissReason, withinOneEdit } from './near-miss.js';

describe('withinOneEdit (Damerau-Levenshtein ≤ 1)', () => {
  it.each([
    ['cart', 'cart', true],
    ['crat', 'cart', true],
    ['cart', 'carts', true],
    ['carts', 'cart', true],
    ['cart', 'kart', true],
    ['cart', 'crt', true],
    ['cart', 'tarc', false],
    ['cart', 'cat1x', false],
    ['', 'a', true],
    ['ab', 'ba', true],
    ['abc', 'cab', false],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(withinOneEdit(a, b)).toBe(expected);
  });
});

describe('nearMissReason', () => {
  it('recognizes case, the app / app.kubernetes.io/name swap (keys only) and one edit', () => {
    expect(nearMissReason('Frontend', 'frontend', false)).toMatch(/only in case/);
    expect(nearMissReason('app', 'app.kubernetes.io/name', true)).toMatch(/used where the pods have/);
    expect(nearMissReason('app', 'app.kubernetes.io/name', false)).toBeUndefined();
    expect(nearMissReason('fronted', 'frontend', false)).toMatch(/one edit/);
    expect(nearMissReason('backend', 'frontend', false)).toBeUndefined();
  });
});

describe('correctSelector', () => {
  const pods = [
    { app: 'web', tier: 'front' },
    { app: 'api', tier: 'back' },
  ];
  it('fixes the fewest requirements needed to match', () => {
    expect(correctSelector({ matchLabels: { app: 'wbe', tier: 'front' } }, pods)).toMatchObject({
      selector: { matchLabels: { app: 'web', tier: 'front' } },
      matches: [0],
    });
  });
  it('corrects In values and expression keys', () => {
    expect(
      correctSelector({ matchExpressions: [{ key: 'App', operator: 'In', values: ['apj'] }] }, pods)
        ?.selector,
    ).toEqual({ matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] });
  });
  it('gives nothing when no label is near', () => {
    expect(correctSelector({ matchLabels: { role: 'db' } }, pods)).toBeUndefined();
  });
});
