// Shadow mode end to end: the daemon on a real SQLite file with a `type: file` source tailing a
// Hubble log and the shop scenario's cluster snapshot. A set is staged through the API, flows it
// allows, flows it would drop and flows dropped today are appended to the file, and the counts,
// paths, readiness transitions (the daemon's clock injected: readiness moves only when the test
// moves time), drift diff, WebSocket event, metrics, re-staging, promotion and retirement are
// checked through the API the dashboard uses.
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { systemClock, type Clock } from '../../src/lib/clock.js';
import { AlertReceiver } from '../fakes/alert-receiver.js';
import { RECOMMEND_FIXTURES, SHOP_LINES, shopLine } from './flow-lines.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 21, 12);
const silent = pino({ level: 'silent' });

let dir: string;
let daemon: Daemon;
let base: string;
let nowMs = T0;
const receiver = new AlertReceiver();
/** Time is the test's; sleeps are real (the file tail and the flush timer keep running). */
const clock: Clock = { now: () => nowMs, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
const events = () => path.join(dir, 'events.log');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-shadow-'));
  await receiver.start();
  copyFileSync(path.join(RECOMMEND_FIXTURES, 'shop-cluster.json'), path.join(dir, 'cluster.json'));
  writeFileSync(events(), SHOP_LINES.join('\n') + '\n');
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      'listen: "127.0.0.1:0"',
      `db: ${JSON.stringify(path.join(dir, 'flows.db'))}`,
      'sources:',
      '  - type: file',
      '    format: hubble',
      `    path: ${JSON.stringify(events())}`,
      'kubernetes:',
      `  snapshot: ${JSON.stringify(path.join(dir, 'cluster.json'))}`,
      'staged:',
      '  cleanPeriodDays: 7',
      '  minConnections: 5',
      '  alerts: true',
      'alerts:',
      '  - type: webhook',
      `    url: ${JSON.stringify(receiver.baseUrl + '/hook')}`,
      '',
    ].join('\n'),
  );
  const loaded = loadConfig({ file, env: {} });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  // The file source in its thread (as `serve` runs it): with sets to judge, its batches must be
  // routed to the main thread's store, or no would-drop below is ever recorded.
  daemon = await startDaemon(loaded.config, { logger: silent, clock, fileSourceThreads: true });
  base = `http://127.0.0.1:${daemon.address.port}`;
});

afterAll(async () => {
  await daemon.stop();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

interface SetJson {
  id: number;
  status: string;
  supersededBy: number | null;
  stagedBy: string;
  policyNames: string[];
  readiness: { verdict: string; cleanSince: string; remainingSeconds: number };
  traffic: {
    paths: number;
    connections: number;
    wouldDropPaths: number;
    wouldDropConnections: number;
    lastWouldDrop: string | null;
  };
  drift: { diff: { policy: string; change: string }[]; yaml: string } | null;
}

async function getSet(id: number): Promise<SetJson> {
  const res = await fetch(`${base}/api/v1/staged/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as SetJson;
}

function append(lines: string[]): void {
  appendFileSync(events(), lines.join('\n') + '\n');
}

describe('shadow mode in the daemon', () => {
  it('stages, judges live flows, reports would-drops and readiness, drifts, re-stages, promotes and retires', async () => {
    await vi.waitFor(
      async () => expect(await metric('netpol_advisor_events_accepted_total')).toBe(SHOP_LINES.length),
      { timeout: 20_000, interval: 20 },
    );

    // Stage the current recommendation for shop.
    const staged = await fetch(`${base}/api/v1/staged`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'shop' }),
    });
    expect(staged.status).toBe(201);
    const first = (await staged.json()) as SetJson;
    expect(first).toMatchObject({
      status: 'active',
      stagedBy: 'anonymous (auth.mode none, loopback)',
      readiness: { verdict: 'watching', cleanSince: new Date(T0).toISOString() },
    });
    expect(first.policyNames.length).toBeGreaterThan(1);

    const messages: {
      type: string;
      wouldDrop?: { namespace: string; setId: number; destination: { workload?: string } };
    }[] = [];
    const ws = new WebSocket(
      `ws://127.0.0.1:${daemon.address.port}/api/v1/stream?namespace=shop`,
      'netpol-advisor',
    );
    ws.on('message', (data: Buffer) =>
      messages.push(JSON.parse(data.toString('utf8')) as (typeof messages)[number]),
    );
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });

    // Six allowed connections (api -> postgres), one path dropped today (api -> redis 6379 DROPPED).
    const allowed = Array.from({ length: 6 }, (_, i) => shopLine('api-', 'postgres-0', 5432, T0 + 1000 + i));
    append([...allowed, shopLine('api-', 'redis-', 6379, T0 + 2000, 'DROPPED')]);
    await vi.waitFor(async () => expect((await getSet(first.id)).traffic.connections).toBe(6), {
      timeout: 20_000,
      interval: 20,
    });
    let set = await getSet(first.id);
    expect(set.traffic).toMatchObject({
      paths: 1,
      wouldDropPaths: 0,
      wouldDropConnections: 0,
      lastWouldDrop: null,
    });
    expect(set.readiness.verdict).toBe('watching');
    expect(set.drift).toBeNull();

    // Clean for 8 days on enough traffic: ready.
    nowMs = T0 + 8 * DAY;
    set = await getSet(first.id);
    expect(set.readiness).toMatchObject({ verdict: 'ready', remainingSeconds: 0 });
    expect(await metric('netpol_advisor_staged_readiness{namespace="shop",verdict="ready"}')).toBe(1);

    // redis -> postgres is allowed today (redis egress is not isolated, data admits all ingress);
    // the staged default deny of shop would drop it: a would-drop, decided on the egress side.
    append([
      shopLine('redis-', 'postgres-0', 5432, nowMs),
      shopLine('redis-', 'postgres-0', 5432, nowMs + 1),
    ]);
    await vi.waitFor(async () => expect((await getSet(first.id)).traffic.wouldDropConnections).toBe(2), {
      timeout: 20_000,
      interval: 20,
    });
    set = await getSet(first.id);
    expect(set.traffic).toMatchObject({
      paths: 2,
      connections: 8,
      wouldDropPaths: 1,
      lastWouldDrop: new Date(nowMs).toISOString(),
    });
    expect(set.readiness.verdict).toBe('would-break');
    const page = (await (await fetch(`${base}/api/v1/staged/${first.id}/would-drop?limit=10`)).json()) as {
      items: Record<string, unknown>[];
      nextCursor: string | null;
    };
    expect(page.nextCursor).toBeNull();
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      source: { namespace: 'shop', workload: 'redis', kind: 'Deployment' },
      destination: { namespace: 'data', workload: 'postgres', kind: 'StatefulSet' },
      port: 5432,
      protocol: 'TCP',
      count: 2,
      sourcePods: ['redis-6c9d8f7b5-k2j3h'],
      destinationPods: ['postgres-0'],
      decidedBy: { direction: 'egress', rule: null },
    });
    const decidedBy = page.items[0]?.['decidedBy'] as { policies: string[]; reason: string };
    expect(decidedBy.policies.length).toBeGreaterThan(0);
    for (const policy of decidedBy.policies) expect(policy).toMatch(/^shop\//);
    expect(decidedBy.reason).toContain('isolated for egress');
    expect(await metric('netpol_advisor_staged_would_drop_total{namespace="shop"}')).toBe(2);
    expect(await metric('netpol_advisor_staged_readiness{namespace="shop",verdict="would-break"}')).toBe(1);
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'would-drop')).toBe(true), {
      timeout: 5000,
      interval: 10,
    });
    expect(messages.find((m) => m.type === 'would-drop')?.wouldDrop).toMatchObject({
      namespace: 'shop',
      setId: first.id,
      destination: { workload: 'postgres' },
    });
    ws.close();
    // staged.alerts is on: the new would-drop path went to the webhook, classification would-drop.
    await vi.waitFor(
      () =>
        expect(
          receiver.requests.some(
            (r) => (r.body as { classification?: string }).classification === 'would-drop',
          ),
        ).toBe(true),
      { timeout: 10_000, interval: 10 },
    );
    const alert = receiver.requests.find(
      (r) => (r.body as { classification?: string }).classification === 'would-drop',
    )?.body;
    expect(alert).toMatchObject({
      status: 'firing',
      source: { namespace: 'shop', workload: 'redis' },
      destination: { namespace: 'data', workload: 'postgres' },
      port: 5432,
      protocol: 'TCP',
    });
    expect((alert as { summary: string }).summary).toContain(
      `staged set ${first.id} (shop) would drop shop/redis -> data/postgres TCP/5432`,
    );

    // Drift: the recommendation now admits redis -> postgres; the diff names the changed policy.
    expect(set.drift).not.toBeNull();
    expect(set.drift?.diff.some((d) => d.change !== 'unchanged')).toBe(true);
    expect(set.drift?.yaml).toContain('5432');

    // Clean again for a full period after the would-drop: ready again.
    nowMs += 8 * DAY;
    expect((await getSet(first.id)).readiness.verdict).toBe('ready');

    // Re-stage is one action: the old set is superseded (history), the new one judges afresh.
    const restaged = (await (
      await fetch(`${base}/api/v1/staged`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ namespace: 'shop' }),
      })
    ).json()) as SetJson;
    expect(restaged.id).not.toBe(first.id);
    expect(await getSet(first.id)).toMatchObject({ status: 'superseded', supersededBy: restaged.id });
    append([shopLine('redis-', 'postgres-0', 5432, nowMs + 5)]);
    await vi.waitFor(async () => expect((await getSet(restaged.id)).traffic.connections).toBe(1), {
      timeout: 20_000,
      interval: 20,
    });
    expect((await getSet(restaged.id)).traffic.wouldDropPaths).toBe(0);

    // Promote: the export, and the set is no longer active; twice is a conflict.
    const promoted = await fetch(`${base}/api/v1/staged/${restaged.id}/promote`, { method: 'POST' });
    expect(promoted.status).toBe(200);
    expect(promoted.headers.get('content-type')).toMatch(/^application\/yaml/);
    const yaml = await promoted.text();
    expect(yaml).toContain('kind: NetworkPolicy');
    expect(yaml).toContain('namespace: shop');
    expect((await getSet(restaged.id)).status).toBe('promoted');
    expect((await fetch(`${base}/api/v1/staged/${restaged.id}/promote`, { method: 'POST' })).status).toBe(
      409,
    );

    // Retire: stage once more and delete it; everything stays listed as history.
    const third = (await (
      await fetch(`${base}/api/v1/staged`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ namespace: 'shop' }),
      })
    ).json()) as SetJson;
    const retired = await fetch(`${base}/api/v1/staged/${third.id}`, { method: 'DELETE' });
    expect(retired.status).toBe(200);
    expect(((await retired.json()) as SetJson).status).toBe('retired');
    const list = (await (await fetch(`${base}/api/v1/staged`)).json()) as {
      items: SetJson[];
      canWrite: boolean;
    };
    expect(list.canWrite).toBe(true);
    expect(list.items.map((s) => [s.id, s.status])).toEqual([
      [third.id, 'retired'],
      [restaged.id, 'promoted'],
      [first.id, 'superseded'],
    ]);
    // No active set any more: new flows are not judged against anything.
    append([shopLine('redis-', 'postgres-0', 5432, nowMs + 9)]);
    await vi.waitFor(
      async () =>
        expect(await metric('netpol_advisor_events_accepted_total')).toBe(SHOP_LINES.length + 7 + 2 + 1 + 1),
      { timeout: 20_000, interval: 20 },
    );
    expect(await metric('netpol_advisor_staged_would_drop_total{namespace="shop"}')).toBe(2);
  }, 60_000);
});
