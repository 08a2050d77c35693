import { describe, expect, it } from 'vitest';
import type { DropReport } from '../drops/report.js';
import { dropsPage } from './drops-page.js';

function report(key: string, source: string, destination: string | null, lastSeenMs: number): DropReport {
  return {
    key,
    source: { namespace: source, workload: 'w', kind: 'Deployment' },
    destination:
      destination === null
        ? { kind: 'world', ip: '203.0.113.1', names: [] }
        : { namespace: destination, workload: 'w', kind: 'Deployment' },
    port: 80,
    protocol: 'TCP',
    count: 1,
    firstSeen: '',
    lastSeen: '',
    classification: key.startsWith('d') ? 'dns' : 'regression',
    evidence: [],
    deniedBy: [],
    fix: [],
    fixPatches: [],
    fixWarnings: [],
    dropReasons: {},
    alerting: true,
    firstSeenMs: lastSeenMs,
    lastSeenMs,
  };
}

const items = [
  report('r1', 'shop', 'data', 500),
  report('d1', 'data', null, 400),
  report('r2', 'web', 'shop', 300),
  report('r3', 'web', null, 200),
];

describe('dropsPage', () => {
  it('scopes by namespace on either side, time and class, then pages', () => {
    expect(dropsPage(items, { namespace: 'shop' }, { offset: 0, limit: 10 }).items.map((i) => i.key)).toEqual(
      ['r1', 'r2'],
    );
    expect(dropsPage(items, { sinceMs: 300 }, { offset: 0, limit: 10 }).total).toBe(3);
    expect(
      dropsPage(items, { classification: 'dns' }, { offset: 0, limit: 10 }).items.map((i) => i.key),
    ).toEqual(['d1']);
  });

  it('says where the next page starts, and nothing after the last', () => {
    const first = dropsPage(items, {}, { offset: 0, limit: 3 });
    expect(first).toMatchObject({ total: 4, nextOffset: 3 });
    const last = dropsPage(items, {}, { offset: 3, limit: 3 });
    expect(last.items.map((i) => i.key)).toEqual(['r3']);
    expect(last.nextOffset).toBeNull();
  });
});
