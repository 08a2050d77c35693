// The daemon's `type: file` source on Calico Log-rule kernel lines: addresses are named through
// the inventory's IP → pod index at each flow's own time (a reused IP resolves to the pod that
// held it then), and the edges land in a real SQLite store with the file's checkpoint.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IpIndex } from '../../src/k8s/ip-index.js';
import type { PodInfo } from '../../src/policy/model.js';
import { FileSource } from '../../src/ingest/file-source.js';
import { openStore } from '../../src/store/store.js';
import { CollectingSink } from '../fakes/collecting-sink.js';
import { FakeClock } from '../fakes/fake-clock.js';

const fixture = path.resolve(import.meta.dirname, '../fixtures/sources/calico-log-rule.log');
const T = Date.parse('2026-05-01T12:00:00Z');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function pod(name: string, ip: string, app: string): PodInfo {
  return {
    namespace: 'shop',
    name,
    labels: { app },
    ips: [ip],
    hostNetwork: false,
    ports: [],
    workload: { kind: 'Deployment', name: app },
  };
}

describe('FileSource (Calico Log rule kernel lines)', () => {
  it('names each address with the pod that held it at the flow time', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-file-source-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'kern.log');
    copyFileSync(fixture, file);
    const store = openStore(path.join(dir, 'flows.db'));
    cleanups.push(() => store.close());
    const idx = new IpIndex({ earlyGraceMs: 0 });
    idx.upsert(pod('frontend-1', '10.244.1.5', 'frontend'), T - 60_000);
    idx.upsert(pod('cart-1', '10.244.2.7', 'cart'), T - 60_000);
    // 10.244.1.5 is reused by another pod after 12:05; the 12:10 line must resolve to it.
    idx.remove('shop', 'frontend-1', T + 5 * 60_000);
    idx.upsert(pod('worker-9', '10.244.1.5', 'worker'), T + 6 * 60_000);
    const source = new FileSource({
      name: 'kern',
      path: file,
      format: 'calico-iptables',
      follow: false,
      store,
      batchSize: 100,
      maxLineBytes: 16_384,
      clock: new FakeClock(T + 11 * 60_000),
      podAt: (ip, t) => idx.resolve(ip, t),
    });
    cleanups.push(() => void source.stop());
    await source.start(new CollectingSink());
    await vi.waitFor(() => expect(source.status().state).toBe('stopped'), { timeout: 10_000 });

    expect(source.status()).toMatchObject({ state: 'stopped', errors: 0 });
    const edges = [...store.iterateEdges()].map((e) => ({
      source: e.sourcePods,
      destination: e.destinationPods,
      protocol: e.protocol,
      port: e.port,
    }));
    expect(edges).toHaveLength(3);
    expect(edges).toEqual(
      expect.arrayContaining([
        { source: ['frontend-1'], destination: ['cart-1'], protocol: 'TCP', port: 8080 },
        { source: ['frontend-1'], destination: ['cart-1'], protocol: 'UDP', port: 53 },
        { source: ['worker-9'], destination: [], protocol: 'TCP', port: 443 },
      ]),
    );
    expect(store.checkpoint(file)?.offset).toBeGreaterThan(0);
  });
});
