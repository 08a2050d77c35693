import { describe, expect, it } from 'vitest';
import { BoundedLru } from './bounded-lru.js';

describe('BoundedLru', () => {
  const sized = (maxBytes: number, maxEntries = 100) =>
    new BoundedLru<string, string>({ maxEntries, maxBytes, sizeOf: (v) => v.length });

  it('evicts the least recently used past the byte bound, and counts bytes exactly', () => {
    const lru = sized(10);
    lru.set('a', 'xxxx');
    lru.set('b', 'yyyy');
    expect(lru.get('a')).toBe('xxxx'); // a is now the most recent
    lru.set('c', 'zzzz');
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c')]).toEqual(['xxxx', 'zzzz']);
    expect(lru.bytes).toBe(8);
  });

  it('a value larger than the whole budget is not kept, and evicts nothing', () => {
    const lru = sized(10);
    lru.set('a', 'xx');
    lru.set('big', 'x'.repeat(11));
    expect(lru.get('big')).toBeUndefined();
    expect(lru.get('a')).toBe('xx');
    expect(lru.bytes).toBe(2);
  });

  it('replacing a key frees its old bytes; the entry bound still holds', () => {
    const lru = sized(100, 2);
    lru.set('a', 'x'.repeat(50));
    lru.set('a', 'x');
    expect(lru.bytes).toBe(1);
    lru.set('b', 'y');
    lru.set('c', 'z');
    expect(lru.size).toBe(2);
    expect(lru.get('a')).toBeUndefined();
    lru.delete('b');
    expect(lru.bytes).toBe(1);
  });

  it('never holds more than the bound, whatever the sequence', () => {
    const lru = sized(1000, 50);
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      lru.set(`k${seed % 200}`, 'v'.repeat(seed % 300));
      expect(lru.bytes).toBeLessThanOrEqual(1000);
      expect(lru.size).toBeLessThanOrEqual(50);
    }
  });
});
