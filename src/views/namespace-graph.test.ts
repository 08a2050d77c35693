import { describe, expect, it } from 'vitest';
import { edge, type PodSide } from '../../test/recommend/edge-builder.js';
import { buildNamespaceGraph } from './namespace-graph.js';

const web: PodSide = { ns: 'shop', workload: 'web', labels: {} };
const api: PodSide = { ns: 'shop', workload: 'api', labels: {} };
const db: PodSide = { ns: 'data', workload: 'db', kind: 'StatefulSet', labels: {} };
const cache: PodSide = { ns: 'data', workload: 'cache', labels: {} };
const probe: PodSide = { ns: 'tools', workload: 'probe', labels: {} };
const hostile: PodSide = { ns: '<img src=x onerror=alert(1)>', workload: 'x', labels: {} };

const edges = [
  edge(web, api, 8080, { count: 10 }),
  edge(api, db, 5432, { count: 100 }),
  edge(web, cache, 6379, { count: 7 }),
  edge(web, db, 5432, { count: 3, verdict: 'dropped' }),
  edge(probe, db, 5432, { count: 1, verdict: 'dropped' }),
  edge(api, { kind: 'world', ip: '203.0.113.9' }, 443, { count: 4 }),
  edge(api, { kind: 'world', ip: '198.51.100.1' }, 443, { count: 2 }),
  edge(hostile, api, 8080, { count: 1 }),
];
const unlimited = { maxLinks: 100, maxNodes: 100 };

describe('buildNamespaceGraph', () => {
  it('one node per namespace and per outside kind, traffic inside a namespace counted on it', () => {
    const graph = buildNamespaceGraph(edges, unlimited);
    expect(graph.nodes.map((n) => n.id)).toEqual([
      'ext/world',
      'ns/<img src=x onerror=alert(1)>',
      'ns/data',
      'ns/shop',
      'ns/tools',
    ]);
    const shop = graph.nodes.find((n) => n.id === 'ns/shop');
    expect(shop).toMatchObject({ kind: 'namespace', name: 'shop', workloads: 2 });
    expect(shop?.internal).toEqual({ count: 10, droppedCount: 0, paths: 1, droppedPaths: 0 });
    expect(graph.nodes.find((n) => n.id === 'ext/world')).toMatchObject({ kind: 'world', workloads: 0 });
  });

  it('aggregates the edges of a namespace pair into one link, dropped connections and paths apart', () => {
    const graph = buildNamespaceGraph(edges, unlimited);
    expect(graph.links.find((l) => l.id === 'ns/shop>ns/data')).toEqual({
      id: 'ns/shop>ns/data',
      source: 'ns/shop',
      target: 'ns/data',
      count: 110,
      droppedCount: 3,
      paths: 3,
      droppedPaths: 1,
    });
    expect(graph.links.find((l) => l.id === 'ns/shop>ext/world')).toMatchObject({ count: 6, paths: 2 });
    expect(graph).toMatchObject({ totalLinks: 4, totalNodes: 5, truncated: false });
  });

  it('keeps links with drops first, then the heaviest, and says when it cut', () => {
    const graph = buildNamespaceGraph(edges, { maxLinks: 2, maxNodes: 100 });
    expect(graph.links.map((l) => l.id)).toEqual(['ns/shop>ns/data', 'ns/tools>ns/data']);
    expect(graph.truncated).toBe(true);
  });

  it('keeps the heaviest nodes and only the links between kept nodes', () => {
    const graph = buildNamespaceGraph(edges, { maxLinks: 100, maxNodes: 2 });
    expect(graph.nodes.map((n) => n.id)).toEqual(['ns/data', 'ns/shop']);
    expect(graph.links.map((l) => l.id)).toEqual(['ns/shop>ns/data']);
    expect(graph).toMatchObject({ totalNodes: 5, truncated: true });
  });

  it('an empty store gives an empty map', () => {
    expect(buildNamespaceGraph([], unlimited)).toEqual({
      level: 'namespace',
      nodes: [],
      links: [],
      totalNodes: 0,
      totalLinks: 0,
      truncated: false,
    });
  });
});
