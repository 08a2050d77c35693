import { describe, expect, it } from 'vitest';
import { groupOutsidePeers } from './map-group.js';
import type { MapLink, MapNode } from './pages/map.js';

const node = (
  id: string,
  namespace: string | undefined,
  kind = 'Deployment',
  names: string[] = [],
): MapNode => ({
  id,
  label: id.split('/').pop() ?? id,
  namespace,
  kind,
  names,
});
const link = (
  from: string,
  to: string,
  port: number,
  count: number,
  extra: Partial<MapLink> = {},
): MapLink => ({
  from,
  to,
  ports: [{ protocol: 'TCP', port, verdict: extra.dropped === true ? 'dropped' : 'forwarded', count }],
  dropped: false,
  nonPolicy: false,
  count,
  firstSeen: '2026-01-01T10:00:00.000Z',
  lastSeen: '2026-01-01T11:00:00.000Z',
  ...extra,
});

const nodes = new Map(
  [
    node('pod/shop/web', 'shop'),
    node('pod/shop/api', 'shop'),
    node('pod/data/db', 'data'),
    node('pod/data/cache', 'data'),
    node('world/203.0.113.9', undefined, 'world', ['api.github.com']),
    node('world/203.0.113.10', undefined, 'world', ['api.github.com']),
    node('world/198.51.100.1', undefined, 'world'),
    node('world/198.51.100.2', undefined, 'world'),
  ].map((n) => [n.id, n]),
);
const links = [
  link('pod/shop/web', 'pod/shop/api', 8080, 10),
  link('pod/shop/api', 'pod/data/db', 5432, 100, { lastSeen: '2026-01-01T12:00:00.000Z' }),
  link('pod/shop/api', 'pod/data/cache', 6379, 7),
  link('pod/shop/web', 'pod/data/db', 5432, 3, { dropped: true, firstSeen: '2026-01-01T09:00:00.000Z' }),
  link('pod/shop/api', 'world/203.0.113.9', 443, 4),
  link('pod/shop/api', 'world/203.0.113.10', 443, 2),
  link('pod/shop/api', 'world/198.51.100.1', 443, 1),
  link('pod/shop/api', 'world/198.51.100.2', 443, 1),
];

describe('groupOutsidePeers', () => {
  const grouped = groupOutsidePeers('shop', nodes, links);

  it('keeps the namespace’s workloads, one box per other namespace, per DNS name, per unnamed kind', () => {
    expect([...grouped.nodes.keys()].sort()).toEqual([
      'group/kind/world',
      'group/name/api.github.com',
      'group/ns/data',
      'pod/shop/api',
      'pod/shop/web',
    ]);
    expect(grouped.nodes.get('group/ns/data')).toMatchObject({
      label: 'data',
      sub: 'namespace · 2 workloads',
    });
    expect(grouped.nodes.get('group/name/api.github.com')?.sub).toBe('2 addresses');
    expect(grouped.folded).toBe(6);
  });

  it('merges the links between the same boxes: counts add, ports merge, drops and times kept', () => {
    const toData = grouped.links.filter((l) => l.to === 'group/ns/data');
    expect(toData.map((l) => [l.from, l.count, l.dropped])).toEqual([
      ['pod/shop/api', 107, false],
      ['pod/shop/web', 3, true],
    ]);
    expect(toData[0]?.ports.map((p) => p.port)).toEqual([5432, 6379]);
    const github = grouped.links.find((l) => l.to === 'group/name/api.github.com');
    expect(github?.ports).toEqual([{ protocol: 'TCP', port: 443, verdict: 'forwarded', count: 6 }]);
    expect(toData[0]?.lastSeen).toBe('2026-01-01T12:00:00.000Z');
    expect(grouped.links.find((l) => l.from === 'pod/shop/web' && l.to === 'pod/shop/api')).toEqual(links[0]);
  });

  it('a merged link is a datapath drop only when every dropping member was', () => {
    const mixed = groupOutsidePeers('shop', nodes, [
      link('pod/shop/web', 'pod/data/db', 5432, 1, { dropped: true, nonPolicy: true }),
      link('pod/shop/web', 'pod/data/cache', 6379, 1, { dropped: true, nonPolicy: false }),
    ]);
    expect(mixed.links).toHaveLength(1);
    expect(mixed.links[0]).toMatchObject({ dropped: true, nonPolicy: false });
  });
});
