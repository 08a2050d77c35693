import { describe, expect, it } from 'vitest';
import { ViewCache, type Versioned } from './view-cache.js';

/** A computation the test finishes by hand, counting its starts. */
function gate<T>() {
  let starts = 0;
  let finish: (value: Versioned<T>) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const compute = () => {
    starts++;
    return new Promise<Versioned<T>>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
  };
  return {
    compute,
    starts: () => starts,
    finish: (value: T, version: string) => finish({ value, version }),
    fail: (error: Error) => fail(error),
  };
}

const now = () => 0;

describe('ViewCache bounds', () => {
  const sized = (maxBytes: number, maxEntries = 100) =>
    new ViewCache<string>({ maxEntries, maxBytes, sizeOf: (v) => v.length, now });
  const put = (cache: ViewCache<string>, key: string, value: string) => cache.getSync(key, 'v', () => value);

  it('evicts the least recently used past the byte bound, and counts bytes exactly', () => {
    const cache = sized(10);
    put(cache, 'a', 'xxxx');
    put(cache, 'b', 'yyyy');
    expect(cache.getSync('a', 'v', () => 'recomputed')).toBe('xxxx'); // a is now the most recent
    put(cache, 'c', 'zzzz');
    expect(cache.getSync('b', 'v', () => 'gone')).toBe('gone');
    expect(cache.bytes).toBeLessThanOrEqual(10);
  });

  it('a value larger than the whole budget is returned but not kept, and evicts nothing', () => {
    const cache = sized(10);
    put(cache, 'a', 'xx');
    expect(put(cache, 'big', 'x'.repeat(11))).toBe('x'.repeat(11));
    expect(cache.getSync('big', 'v', () => 'again')).toBe('again');
    expect(cache.getSync('a', 'v', () => 'lost')).toBe('xx');
  });

  it('never holds more than the bounds, whatever the sequence', () => {
    const cache = sized(1000, 50);
    let seed = 7;
    let keys = 0;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      put(cache, `k${seed % 200}`, 'v'.repeat(1 + (seed % 300)));
      expect(cache.bytes).toBeLessThanOrEqual(1000);
    }
    for (let k = 0; k < 200; k++) if (cache.getSync(`k${k}`, 'v', () => '') !== '') keys++;
    expect(keys).toBeLessThanOrEqual(50);
  });
});

describe('ViewCache.get: stale-while-revalidate', () => {
  it('a miss waits; the same version is a hit; a new version answers stale at once and recomputes once', async () => {
    const cache = new ViewCache<string>({ maxEntries: 8, now });
    const work = gate<string>();
    const first = cache.get('k', 'v1', work.compute);
    work.finish('one', 'v1');
    expect(await first).toMatchObject({ value: 'one', version: 'v1', stale: false });
    expect(await cache.get('k', 'v1', work.compute)).toMatchObject({ value: 'one', stale: false });
    expect(work.starts()).toBe(1);

    const stale = await cache.get('k', 'v2', work.compute);
    expect(stale).toMatchObject({ value: 'one', version: 'v1', stale: true });
    expect(await cache.get('k', 'v2', work.compute)).toMatchObject({ value: 'one', stale: true });
    expect(work.starts()).toBe(2); // one recomputation for both requests
    work.finish('two', 'v2');
    await cache.settled();
    expect(await cache.get('k', 'v2', work.compute)).toMatchObject({ value: 'two', stale: false });
  });

  it('concurrent misses share one computation', async () => {
    const cache = new ViewCache<string>({ maxEntries: 8, now });
    const work = gate<string>();
    const both = Promise.all([cache.get('k', 'v1', work.compute), cache.get('k', 'v1', work.compute)]);
    work.finish('one', 'v1');
    expect((await both).map((r) => r.value)).toEqual(['one', 'one']);
    expect(work.starts()).toBe(1);
  });

  it('within minRefreshMs (the ttl) a value of another version is served without recomputing', async () => {
    let t = 1000;
    const cache = new ViewCache<string>({ maxEntries: 8, minRefreshMs: 500, now: () => t });
    expect((await cache.get('k', 'v1', () => ({ value: 'one', version: 'v1' }))).value).toBe('one');
    const work = gate<string>();
    t += 499;
    expect(await cache.get('k', 'v2', work.compute)).toMatchObject({ value: 'one', stale: true });
    expect(work.starts()).toBe(0);
    t += 2;
    await cache.get('k', 'v2', work.compute);
    expect(work.starts()).toBe(1);
  });

  it('a failed recomputation keeps the previous value and is reported; a failure with none is not cached', async () => {
    const errors: string[] = [];
    const cache = new ViewCache<string>({ maxEntries: 8, now, onError: (key) => errors.push(key) });
    await cache.get('k', 'v1', () => ({ value: 'one', version: 'v1' }));
    const work = gate<string>();
    await cache.get('k', 'v2', work.compute);
    work.fail(new Error('boom'));
    await cache.settled();
    expect(errors).toEqual(['k']);
    expect(await cache.get('k', 'v1', work.compute)).toMatchObject({ value: 'one', stale: false });

    const none = gate<string>();
    const failing = cache.get('new', 'v1', none.compute);
    none.fail(new Error('boom'));
    await expect(failing).rejects.toThrow('boom');
    const retried = cache.get('new', 'v1', none.compute);
    expect(none.starts()).toBe(2);
    none.finish('later', 'v1');
    expect((await retried).value).toBe('later');
  });

  it('the request that starts a recomputation waits up to staleGraceMs for it', async () => {
    const cache = new ViewCache<string>({ maxEntries: 8, now, staleGraceMs: 60_000 });
    await cache.get('k', 'v1', () => ({ value: 'one', version: 'v1' }));
    const work = gate<string>();
    const waiting = cache.get('k', 'v2', work.compute);
    work.finish('two', 'v2');
    expect(await waiting).toMatchObject({ value: 'two', stale: false });
  });
});

describe('ViewCache.fresh', () => {
  it('waits for the recomputation of a new version, sharing it', async () => {
    const cache = new ViewCache<number>({ maxEntries: 2, now });
    await cache.fresh('k', 'v1', () => ({ value: 1, version: 'v1' }));
    const work = gate<number>();
    const a = cache.fresh('k', 'v2', work.compute);
    const b = cache.fresh('k', 'v2', work.compute);
    work.finish(2, 'v2');
    expect([(await a).value, (await b).value]).toEqual([2, 2]);
    expect(work.starts()).toBe(1);
  });
});

describe('ViewCache: stale age bound and refresh', () => {
  it('a value older than staleMaxAgeMs is not served stale: the request waits for the new one', async () => {
    let t = 0;
    const cache = new ViewCache<string>({ maxEntries: 8, now: () => t, staleMaxAgeMs: 1000 });
    const work = gate<string>();
    const first = cache.get('k', 'v1', work.compute);
    work.finish('one', 'v1');
    await first;
    t = 1000; // at the bound: still served stale
    expect(await cache.get('k', 'v2', work.compute)).toMatchObject({ value: 'one', stale: true });
    work.finish('two', 'v2');
    await cache.settled();
    t = 2001; // 1001 ms after 'two' was computed
    const waiting = cache.get('k', 'v3', work.compute);
    let settled = false;
    void waiting.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    work.finish('three', 'v3');
    expect(await waiting).toMatchObject({ value: 'three', version: 'v3', stale: false });
  });

  it('refresh recomputes a value of another version, young or not, and waits for it', async () => {
    const cache = new ViewCache<string>({ maxEntries: 8, now, minRefreshMs: 60_000 });
    const work = gate<string>();
    const first = cache.refresh('k', 'v1', work.compute);
    work.finish('one', 'v1');
    expect(await first).toMatchObject({ value: 'one', version: 'v1' });
    expect(await cache.refresh('k', 'v1', work.compute)).toMatchObject({ value: 'one' });
    expect(work.starts()).toBe(1);
    const second = cache.refresh('k', 'v2', work.compute);
    work.finish('two', 'v2');
    expect(await second).toMatchObject({ value: 'two', version: 'v2' });
    expect(work.starts()).toBe(2);
  });
});
