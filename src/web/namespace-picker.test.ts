import { describe, expect, it } from 'vitest';
import { resolveNamespace } from './namespace-picker.js';

describe('resolveNamespace', () => {
  const names = ['shop', 'shop-2', 'data', 'team-100', 'team-101'];
  it('takes an exact name even when it is part of another', () => {
    expect(resolveNamespace(names, 'shop')).toBe('shop');
  });
  it('takes the only name containing the text, case-insensitively', () => {
    expect(resolveNamespace(names, 'DAT')).toBe('data');
    expect(resolveNamespace(names, '101')).toBe('team-101');
  });
  it('takes nothing when several or none match', () => {
    expect(resolveNamespace(names, 'team')).toBeUndefined();
    expect(resolveNamespace(names, 'nope')).toBeUndefined();
  });
});
