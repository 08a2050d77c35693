import { describe, expect, it } from 'vitest';
import type { PodInfo } from '../policy/model.js';
import { IpIndex } from './ip-index.js';

function pod(name: string, ips: string[], labels: Record<string, string> = {}, hostNetwork = false): PodInfo {
  return { namespace: 'ns', name, labels, ips, hostNetwork, ports: [], workload: { kind: 'Pod', name } };
}

describe('IpIndex', () => {
  it('resolves a reused IP to whoever held it at the flow time', () => {
    const idx = new IpIndex({ earlyGraceMs: 0 });
    idx.upsert(pod('a', ['10.0.0.1']), 1000);
    idx.remove('ns', 'a', 2000);
    idx.upsert(pod('b', ['10.0.0.1']), 5000);
    expect(idx.resolve('10.0.0.1', 1500)?.name).toBe('a');
    expect(idx.resolve('10.0.0.1', 3000)).toBeUndefined();
    expect(idx.resolve('10.0.0.1', 5000)?.name).toBe('b');
    expect(idx.resolve('10.0.0.1', 999)).toBeUndefined();
  });

  it('gives the new holder the IP from the moment the old holder lost it, even if it was created earlier', () => {
    const idx = new IpIndex();
    idx.upsert(pod('a', ['10.0.0.1']), 1000);
    idx.upsert(pod('b', ['10.0.0.1']), 4000, 500); // a's delete was never seen
    expect(idx.resolve('10.0.0.1', 2000)?.name).toBe('a');
    expect(idx.resolve('10.0.0.1', 4000)?.name).toBe('b');
  });

  it('keeps the newest labels for the current holder and ignores hostNetwork pods', () => {
    const idx = new IpIndex();
    idx.upsert(pod('a', ['10.0.0.1'], { v: '1' }), 1000);
    idx.upsert(pod('a', ['10.0.0.1'], { v: '2' }), 2000);
    expect(idx.resolve('10.0.0.1', 1500)?.labels).toEqual({ v: '2' });
    idx.upsert(pod('h', ['172.18.0.2'], {}, true), 1000);
    expect(idx.resolve('172.18.0.2', 1500)).toBeUndefined();
  });

  it('is bounded per IP, in addresses, and forgets closed history after the retention', () => {
    const idx = new IpIndex({ maxEntriesPerIp: 2, maxIps: 3, retentionMs: 1000, earlyGraceMs: 0 });
    for (let i = 0; i < 10; i++) {
      idx.upsert(pod(`p${i}`, ['10.0.0.1']), i * 100);
      idx.remove('ns', `p${i}`, i * 100 + 50);
    }
    expect(idx.resolve('10.0.0.1', 10)).toBeUndefined(); // p0 evicted (only 2 entries kept)
    expect(idx.resolve('10.0.0.1', 910)?.name).toBe('p9');
    for (let i = 0; i < 10; i++) idx.upsert(pod(`q${i}`, [`10.1.0.${i}`]), 0);
    expect(idx.size).toBe(3);
    idx.prune(10_000);
    expect(idx.resolve('10.0.0.1', 910)).toBeUndefined();
    expect(idx.size).toBe(2);
  });
});
