import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IpIndex } from '../../src/k8s/ip-index.js';
import type { PodInfo } from '../../src/policy/model.js';
import { LogTailSource } from '../../src/sources/kernel-log.js';
import { CollectingSink } from '../fakes/collecting-sink.js';
import { FakeClock, waitFor } from '../fakes/fake-clock.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/sources');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempCopy(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-tail-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  copyFileSync(path.join(fixtures, name), file);
  return file;
}

function pod(name: string, ip: string, app: string): PodInfo {
  return { namespace: 'shop', name, labels: { app }, ips: [ip], hostNetwork: false, ports: [], workload: { kind: 'Deployment', name: app } };
}

const T = Date.parse('2026-05-01T12:00:00Z');

describe('LogTailSource (Calico Log rule kernel lines)', () => {
  it('tails kernel LOG lines and enriches addresses with the pod that held them at the flow time', async () => {
    const file = tempCopy('calico-log-rule.log');
    const idx = new IpIndex({ earlyGraceMs: 0 });
    idx.upsert(pod('frontend-1', '10.244.1.5', 'frontend'), T - 60_000);
    idx.upsert(pod('cart-1', '10.244.2.7', 'cart'), T - 60_000);
    // 10.244.1.5 is reused by another pod after 12:05; the 12:10 line must resolve to it.
    idx.remove('shop', 'frontend-1', T + 5 * 60_000);
    idx.upsert(pod('worker-9', '10.244.1.5', 'worker'), T + 6 * 60_000);
    const clock = new FakeClock(T + 11 * 60_000);
    const sink = new CollectingSink();
    const src = new LogTailSource({ name: 'kern', path: file, format: 'calico-iptables', podAt: (ip, t) => idx.resolve(ip, t), clock });
    cleanups.push(() => src.stop());
    await src.start(sink);
    await waitFor(() => sink.results.length === 3, 10_000, 'three lines');
    const [syn, udp, late] = sink.flows;
    expect(syn).toMatchObject({ protocol: 'TCP', destinationPort: 8080, source: { kind: 'pod', pod: 'frontend-1', namespace: 'shop', labels: { app: 'frontend' } }, destination: { kind: 'pod', pod: 'cart-1' } });
    expect(udp?.destinationPort).toBe(53);
    expect(late?.source).toMatchObject({ kind: 'pod', pod: 'worker-9', workload: { kind: 'Deployment', name: 'worker' } });
    expect(late?.destination).toMatchObject({ kind: 'unknown', ip: '93.184.216.34' });
    expect(src.status().type).toBe('kernel-log');

    // Follow: an appended line arrives on the next poll (driven by the fake clock).
    appendFileSync(file, readFileSync(path.join(fixtures, 'calico-log-rule.log'), 'utf8').split('\n')[0] + '\n');
    await waitFor(() => clock.pendingSleeps > 0, 10_000, 'poll');
    clock.wakeAll();
    await waitFor(() => sink.results.length === 4, 10_000, 'appended line');
    expect(src.status().position?.offset).toBe(readFileSync(file).length);
  });

  it('pauses reading while the sink is full and resumes from the consumed offset without loss or duplicates', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-tail-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'kern.log');
    const template = readFileSync(path.join(fixtures, 'calico-log-rule.log'), 'utf8').split('\n')[0] ?? '';
    const lines = Array.from({ length: 50 }, (_, i) => template.replace('SPT=45588', `SPT=${20000 + i}`));
    writeFileSync(file, lines.join('\n') + '\n');
    const sink = new CollectingSink(10);
    const src = new LogTailSource({ name: 'kern', path: file, format: 'calico-iptables', follow: false, clock: new FakeClock(T) });
    cleanups.push(() => src.stop());
    await src.start(sink);
    await waitFor(() => sink.refusals === 1, 10_000, 'paused');
    expect(sink.results).toHaveLength(10); // nothing past the refusal was consumed
    sink.open();
    await waitFor(() => sink.results.length === 50 && src.status().state === 'stopped', 10_000, 'all lines');
    expect(sink.flows.map((f) => f.sourcePort)).toEqual(lines.map((_, i) => 20000 + i));
    expect(src.status().pauses).toBe(1);
  });

  it('resumes from a checkpoint of the same file and restarts from 0 when the file was replaced', async () => {
    const file = tempCopy('calico-log-rule.log');
    const first = new LogTailSource({ name: 'kern', path: file, format: 'calico-iptables', follow: false, clock: new FakeClock(T) });
    const sink1 = new CollectingSink();
    await first.start(sink1);
    await waitFor(() => first.status().state === 'stopped', 10_000, 'first pass');
    await first.stop();
    const position = first.status().position;
    expect(position?.offset).toBe(readFileSync(file).length);
    appendFileSync(file, readFileSync(file, 'utf8').split('\n')[1] + '\n');
    const sink2 = new CollectingSink();
    const second = new LogTailSource({ name: 'kern', path: file, format: 'calico-iptables', follow: false, clock: new FakeClock(T), ...(position === undefined ? {} : { resumeFrom: position }) });
    await second.start(sink2);
    await waitFor(() => second.status().state === 'stopped', 10_000, 'second pass');
    expect(sink2.flows.map((f) => f.protocol)).toEqual(['UDP']);
    rmSync(file);
    writeFileSync(file, 'junk without netfilter fields\n');
    const sink3 = new CollectingSink();
    const third = new LogTailSource({ name: 'kern', path: file, format: 'calico-iptables', follow: false, clock: new FakeClock(T), ...(position === undefined ? {} : { resumeFrom: position }) });
    await third.start(sink3);
    await waitFor(() => third.status().state === 'stopped', 10_000, 'third pass');
    expect(sink3.results).toMatchObject([{ ok: false, reason: 'unparseable_line' }]);
  });
});

describe('LogTailSource (Calico flow-log files)', () => {
  it('tails Calico flow-log JSON lines', async () => {
    const file = tempCopy('calico-flowlog.jsonl');
    const sink = new CollectingSink();
    const src = new LogTailSource({ name: 'flowlogs', path: file, format: 'calico-flowlog', follow: false, clock: new FakeClock(T) });
    cleanups.push(() => src.stop());
    await src.start(sink);
    await waitFor(() => src.status().state === 'stopped', 10_000, 'read');
    expect(sink.flows).toHaveLength(1);
    expect(sink.flows[0]).toMatchObject({ destinationPort: 8080, source: { namespace: 'shop', labels: { app: 'frontend' } }, connectionCount: 2 });
    expect(src.status().type).toBe('calico-flowlog');
  });
});
