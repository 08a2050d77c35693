import { describe, expect, it } from 'vitest';
import { edge, type PodSide } from '../../test/recommend/edge-builder.js';
import { buildGraph, graphView } from './graph.js';

const web: PodSide = { ns: 'shop', workload: 'web', labels: {} };
const api: PodSide = { ns: 'shop', workload: 'api', labels: {} };
const db: PodSide = { ns: 'data', workload: 'db', kind: 'StatefulSet', labels: {} };

describe('buildGraph', () => {
  const edges = [
    edge(web, api, 8080, { count: 10, id: 1, first: 1000, last: 5000 }),
    edge(web, api, 9090, { count: 5, id: 2, first: 500, last: 2000 }),
    edge(api, db, 5432, { count: 100, id: 3 }),
    edge(web, db, 5432, { count: 1, verdict: 'dropped', id: 4 }),
  ];

  it('merges the edges of a node pair into one link with its ports, verdicts and time span', () => {
    const graph = buildGraph(edges, 10);
    expect(graph.nodes.map((n) => n.id)).toEqual(['pod/data/db', 'pod/shop/api', 'pod/shop/web']);
    const link = graph.links.find((l) => l.id === 'pod/shop/web>pod/shop/api');
    expect(link).toMatchObject({
      count: 15,
      verdicts: { forwarded: 15 },
      dropped: false,
      firstSeenMs: 500,
      lastSeenMs: 5000,
      edgeIds: [1, 2],
    });
    expect(link?.ports.map((p) => p.port)).toEqual([8080, 9090]);
    expect(graph).toMatchObject({ totalLinks: 3, truncated: false });
  });

  it('keeps dropped links first, then the heaviest, and only the nodes they use', () => {
    const graph = buildGraph(edges, 1);
    expect(graph.links.map((l) => l.id)).toEqual(['pod/shop/web>pod/data/db']);
    expect(graph.nodes.map((n) => n.id)).toEqual(['pod/data/db', 'pod/shop/web']);
    expect(graph).toMatchObject({ totalLinks: 3, truncated: true });
  });

  it('graphView sends times as ISO strings', () => {
    const json = graphView(buildGraph(edges.slice(0, 1), 10), 'shop');
    expect(json.namespace).toBe('shop');
    expect(json.links[0]).toMatchObject({
      firstSeen: '1970-01-01T00:00:01.000Z',
      lastSeen: '1970-01-01T00:00:05.000Z',
    });
    expect(json.links[0]).not.toHaveProperty('firstSeenMs');
  });
});
