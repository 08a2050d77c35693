// GET /api/v1/graph?level=namespace, the whole-cluster summary map, on the seeded shop store: one
// node per namespace with its inside traffic, links per namespace pair with dropped counts, the
// same body from the analysis worker as from the main thread, and its parameters validated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespaceGraphJson, type NamespaceGraphJson } from '../../src/api/namespace-graph.js';
import { startSeededApp, type SeededApp } from './seeded-app.js';

let inline: SeededApp;
let worker: SeededApp;

beforeAll(async () => {
  [inline, worker] = await Promise.all([startSeededApp(), startSeededApp({ worker: true })]);
}, 120_000);
afterAll(async () => {
  await Promise.all([inline?.close(), worker?.close()]);
});

async function get(app: SeededApp, query: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${app.base}/api/v1/graph${query}`);
  const body: unknown = await res.json();
  return { status: res.status, body };
}

describe('GET /api/v1/graph?level=namespace', () => {
  it('sends namespaces as nodes and namespace pairs as links, drops counted', async () => {
    const { status, body } = await get(inline, '?level=namespace');
    expect(status).toBe(200);
    const graph: NamespaceGraphJson = namespaceGraphJson.parse(body);
    const names = graph.nodes.filter((n) => n.kind === 'namespace').map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining(['data', 'shop']));
    const ids = new Set(graph.nodes.map((n) => n.id));
    for (const link of graph.links) {
      expect(ids.has(link.source) && ids.has(link.target)).toBe(true);
      expect(link.source).not.toBe(link.target);
      expect(link.droppedCount).toBeLessThanOrEqual(link.count);
    }
    // The seeded scenario's drops reach the summary, on a link or inside a namespace.
    const dropped =
      graph.links.reduce((n, l) => n + l.droppedPaths, 0) +
      graph.nodes.reduce((n, node) => n + node.internal.droppedPaths, 0);
    expect(dropped).toBeGreaterThan(0);
    // Every observed edge is counted once, on a link or on a node.
    const edges = [...inline.store.iterateEdgeSummaries()].length;
    const paths =
      graph.links.reduce((n, l) => n + l.paths, 0) +
      graph.nodes.reduce((n, node) => n + node.internal.paths, 0);
    expect(paths).toBe(edges);
    expect(graph.truncated).toBe(false);
  });

  it('the analysis worker computes the same summary', async () => {
    const [a, b] = await Promise.all([get(inline, '?level=namespace'), get(worker, '?level=namespace')]);
    expect(b.status).toBe(200);
    expect(b.body).toEqual(a.body);
  });

  it('bounds the links with maxEdges and refuses a namespace or an unknown level', async () => {
    const { body } = await get(inline, '?level=namespace&maxEdges=1');
    const graph = namespaceGraphJson.parse(body);
    expect(graph.links.length).toBeLessThanOrEqual(1);
    expect(graph.truncated).toBe(graph.totalLinks > 1);
    for (const [query, parameter] of [
      ['?level=namespace&namespace=shop', 'namespace'],
      ['?level=pods', 'level'],
    ] as const) {
      const refused = await get(inline, query);
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain(parameter);
    }
  });

  it('level=workload is the workload map, as without the parameter', async () => {
    const [a, b] = await Promise.all([get(inline, '?level=workload'), get(inline, '')]);
    expect(a.body).toEqual(b.body);
  });
});
