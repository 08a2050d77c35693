// GET /api/v1/recommendations says, per namespace and overall, whether the proposal is safe to
// apply: once an observed path it cannot express (a ping) is stored, the namespaces on both ends
// are `safe: false` with that path and the reason, and an `icmp` warning names it, as
// `recommend --json` reports it. GET /api/v1/recommendations/safety says the same per namespace,
// each judged on its own proposal as ?namespace= judges it, and agrees with each namespace's summary.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SHOP_TO_DATA_PING } from '../recommend/ping-line.js';
import { parserFor } from '../../src/flows/parsers.js';
import { startSeededApp, type SeededApp } from './seeded-app.js';

interface UnsafePath {
  namespace: string;
  path: string;
  code: string;
  reason: string;
}
interface Warning {
  code: string;
  namespace?: string;
  subject?: string;
  message: string;
}
interface Body {
  safe: boolean;
  unsafe: UnsafePath[];
  warnings: Warning[];
  namespaces: { namespace: string; safe: boolean; unsafe: UnsafePath[]; warnings: Warning[] }[];
}

let app: SeededApp;
beforeAll(async () => {
  app = await startSeededApp({ staleGraceMs: 0 });
});
afterAll(async () => {
  await app.close();
});

async function recommendations(): Promise<Body> {
  const res = await fetch(`${app.base}/api/v1/recommendations`);
  expect(res.status).toBe(200);
  return (await res.json()) as Body;
}

interface NamespaceSafety {
  namespace: string;
  proposed: boolean;
  safe: boolean;
  unsafeCount: number;
  unsafe: UnsafePath[];
}

async function safety(): Promise<NamespaceSafety[]> {
  const res = await fetch(`${app.base}/api/v1/recommendations/safety`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: NamespaceSafety[] }).items;
}

const ping = SHOP_TO_DATA_PING;

describe('GET /api/v1/recommendations: safe and unsafe', () => {
  it('is safe for the shop scenario, then names the unexpressible path once it is observed', async () => {
    const before = await recommendations();
    expect(before.safe).toBe(true);
    expect(before.unsafe).toEqual([]);
    expect(before.namespaces.every((ns) => ns.safe && ns.unsafe.length === 0)).toBe(true);

    const safetyBefore = await safety();
    expect(safetyBefore.map((ns) => `${ns.namespace} ${ns.proposed} ${ns.safe}`)).toEqual([
      'data true true',
      'kube-system false true',
      'shop true true',
    ]);

    app.writer.add(parserFor('hubble')(ping));
    app.writer.flush();
    await vi.waitFor(
      async () => {
        const after = await recommendations();
        expect(after.safe).toBe(false);
        expect(after.unsafe.map((u) => `${u.namespace} ${u.path} ${u.code}`)).toEqual([
          'data shop/api -> data/postgres ICMP/- icmp',
          'shop shop/api -> data/postgres ICMP/- icmp',
        ]);
        const data = after.namespaces.find((ns) => ns.namespace === 'data');
        expect(data?.safe).toBe(false);
        expect(data?.unsafe[0]?.reason).toContain('ICMP');
        // The warnings carry the same path, overall and in the namespace's own list.
        const icmp = (w: Warning): boolean =>
          w.code === 'icmp' && w.subject === 'shop/api -> data/postgres ICMP/-';
        expect(after.warnings.some(icmp)).toBe(true);
        expect(data?.warnings.some(icmp)).toBe(true);
      },
      { timeout: 10_000, interval: 50 },
    );
    await vi.waitFor(
      async () => {
        const items = await safety();
        for (const ns of ['data', 'shop']) {
          const item = items.find((i) => i.namespace === ns);
          expect(item).toMatchObject({ proposed: true, safe: false, unsafeCount: 1 });
          expect(item?.unsafe.map((u) => `${u.namespace} ${u.path} ${u.code}`)).toEqual([
            `${ns} shop/api -> data/postgres ICMP/- icmp`,
          ]);
          // The namespace's own summary says the same.
          const res = await fetch(`${app.base}/api/v1/recommendations/summary?namespace=${ns}`);
          const summary = (await res.json()) as { namespaces: { namespace: string; unsafe: UnsafePath[] }[] };
          expect(summary.namespaces.find((n) => n.namespace === ns)?.unsafe).toEqual(item?.unsafe);
        }
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});
