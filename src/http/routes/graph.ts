// GET /api/v1/graph?namespace=&maxEdges= : the service map — workloads and outside addresses as
// nodes, observed flows merged per node pair as links (ports, connections per verdict, `dropped`).
// Bounded to the heaviest maxEdges links (dropped ones first); `truncated` says when cut.
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { z } from 'zod';
import { analysisOf } from '../analysis.js';
import type { AppDeps } from '../deps.js';
import { graphJson } from '../../views/graph.js';
import { sendRevalidated } from '../rendered-body.js';
import { ERROR_RESPONSES, type ApiOperation } from '../operations.js';
import { intParam, namespaceParam, parseQuery } from '../query.js';

export const GRAPH_EDGES_DEFAULT = 500;
export const GRAPH_EDGES_MAX = 5000;

const graphQuery = z.object({
  namespace: namespaceParam.optional(),
  maxEdges: intParam(1, GRAPH_EDGES_MAX).optional(),
});

const nodeJson = z.object({
  id: z.string(),
  kind: z.string(),
  namespace: z.string().nullable(),
  name: z.string(),
  workloadKind: z.string().nullable(),
  names: z.array(z.string()),
});
const linkJson = z.object({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  count: z.number().int(),
  verdicts: z.record(z.string(), z.number().int()),
  dropped: z.boolean(),
  ports: z.array(
    z.object({
      protocol: z.string(),
      port: z.number().int().nullable(),
      verdict: z.string(),
      count: z.number().int(),
    }),
  ),
  firstSeen: z.string(),
  lastSeen: z.string(),
  edgeIds: z.array(z.number().int()),
});
const graphSchema = z.object({
  namespace: z.string().nullable(),
  nodes: z.array(nodeJson),
  links: z.array(linkJson),
  totalLinks: z.number().int(),
  truncated: z.boolean(),
});

export function graphOperations(): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/api/v1/graph',
      summary:
        'Workloads as nodes and observed flows as links (per namespace or the whole cluster), drops flagged',
      query: graphQuery,
      responses: { '200': { description: 'the service map', schema: graphSchema }, ...ERROR_RESPONSES },
    },
  ];
}

export function graphRoutes(deps: AppDeps): Router {
  const router = exactRouter();
  router.get('/api/v1/graph', async (req, res) => {
    const query = parseQuery(graphQuery, req.query);
    const analysis = analysisOf(deps);
    const maxEdges = query.maxEdges ?? GRAPH_EDGES_DEFAULT;
    const served = await analysis.body(`graph|${query.namespace ?? '*'}|${maxEdges}`, async () => {
      const { value: graph, version } = await analysis.graph(query.namespace, maxEdges);
      return { version, value: graphJson(graph, query.namespace) };
    });
    sendRevalidated(req, res, served, analysis.now());
  });
  return router;
}
