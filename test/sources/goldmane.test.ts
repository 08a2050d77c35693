import { afterEach, describe, expect, it } from 'vitest';
import { GoldmaneSource } from '../../src/sources/goldmane.js';
import { normalizeGoldmaneFlow } from '../../src/sources/goldmane-flow.js';
import { CollectingSink } from '../fakes/collecting-sink.js';
import { FakeClock, waitFor } from '../fakes/fake-clock.js';
import { FakeGoldmane, goldmaneFlow } from '../fakes/fake-goldmane.js';

const T = 1_777_636_800; // Unix seconds
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('GoldmaneSource against a fake Goldmane', () => {
  it('streams aggregated flows as normalized flows with connection counts and policy refs', async () => {
    const gm = await new FakeGoldmane({
      history: [
        goldmaneFlow(T),
        goldmaneFlow(T, { action: 'Deny', reporter: 'Src', started: 0, dstPort: 5432 }),
      ],
    }).start();
    cleanups.push(() => gm.stop());
    const sink = new CollectingSink();
    const src = new GoldmaneSource({
      name: 'gm',
      address: gm.address,
      clock: new FakeClock(),
      random: () => 0,
    });
    cleanups.push(() => src.stop());
    await src.start(sink);
    await waitFor(() => sink.results.length === 2, 10_000, 'flows');
    expect(gm.requests[0]).toMatchObject({ aggregation_interval: 15 });
    expect(gm.requests[0]?.['start_time_gte'] ?? 0).toBe(0);
    const [allow, deny] = sink.flows;
    expect(allow).toMatchObject({
      timeMs: T * 1000,
      protocol: 'TCP',
      destinationPort: 8080,
      direction: 'ingress',
      verdict: 'forwarded',
      connectionCount: 3,
      isConnectionStart: true,
      isReply: false,
    });
    expect(allow?.source).toMatchObject({ kind: 'pod', namespace: 'shop', labels: { app: 'frontend' } });
    expect(allow?.policies.ingressAllowedBy).toEqual(['shop/allow-frontend']);
    expect(deny).toMatchObject({
      verdict: 'dropped',
      isPolicyDrop: true,
      direction: 'egress',
      destinationPort: 5432,
      connectionCount: 1,
    });
    expect(deny?.policies.egressDeniedBy).toEqual(['shop/allow-frontend']);
    gm.emit(goldmaneFlow(T + 15));
    await waitFor(() => sink.results.length === 3, 10_000, 'followed flow');
  });

  it('reconnects after Goldmane restarts and does not count a window twice', async () => {
    const history = [
      goldmaneFlow(T),
      goldmaneFlow(T + 15, { dstPort: 1 }),
      goldmaneFlow(T + 15, { dstPort: 2 }),
    ];
    const gm1 = await new FakeGoldmane({ history }).start();
    const clock = new FakeClock();
    const sink = new CollectingSink();
    const src = new GoldmaneSource({ name: 'gm', address: gm1.address, clock, random: () => 0 });
    cleanups.push(() => src.stop());
    await src.start(sink);
    await waitFor(() => sink.results.length === 3, 10_000, 'first');
    gm1.kill();
    await waitFor(() => clock.pendingSleeps === 1, 10_000, 'backoff');
    const gm2 = await new FakeGoldmane({
      port: gm1.port,
      history: [...history, goldmaneFlow(T + 15, { dstPort: 3 }), goldmaneFlow(T + 30, { dstPort: 4 })],
    }).start();
    cleanups.push(() => gm2.stop());
    clock.wakeAll();
    await waitFor(() => sink.results.length === 5, 10_000, 'resumed');
    expect(gm2.requests[0]?.['start_time_gte']).toBe(T + 15);
    expect(sink.flows.map((f) => f.destinationPort)).toEqual([8080, 1, 2, 3, 4]);
    expect(src.status()).toMatchObject({ duplicates: 2, reconnects: 1, state: 'connected' });
  });
});

describe('normalizeGoldmaneFlow', () => {
  it('rejects malformed records with a reason instead of throwing', () => {
    expect(normalizeGoldmaneFlow(null)).toMatchObject({ ok: false, reason: 'invalid_field' });
    expect(normalizeGoldmaneFlow({ flow: { start_time: T } })).toMatchObject({
      ok: false,
      reason: 'missing_field',
    });
    expect(normalizeGoldmaneFlow(goldmaneFlow(T, { proto: 'gre' }))).toMatchObject({
      ok: false,
      reason: 'unknown_enum',
    });
    const icmp = normalizeGoldmaneFlow(goldmaneFlow(T, { proto: 'icmp' }));
    expect(icmp).toMatchObject({ ok: true, flow: { protocol: 'ICMP' } });
    expect(icmp.ok ? icmp.flow.destinationPort : 'rejected').toBeUndefined();
  });
});
