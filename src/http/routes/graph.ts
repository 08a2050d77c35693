// GET /api/v1/graph?namespace=&maxEdges= : the service map — workloads and outside addresses as
// nodes, observed flows merged per node pair as links (ports, connections per verdict, `dropped`).
// Bounded to the heaviest maxEdges links (dropped ones first); `truncated` says when cut.
// GET /api/v1/graph?level=namespace&maxEdges= : the whole-cluster summary instead — namespaces as
// nodes, links per namespace pair with counts and dropped counts (views/namespace-graph.ts); its
// size follows the namespaces, so all links are sent by default (up to GRAPH_EDGES_MAX).
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { GRAPH_EDGES_DEFAULT, GRAPH_EDGES_MAX, NAMESPACE_GRAPH_NODES_MAX } from '../../api/constants.js';
import { graphJson } from '../../api/graph.js';
import { namespaceGraphJson } from '../../api/namespace-graph.js';
import { graphView } from '../../views/graph.js';
import { HttpError } from '../errors.js';
import { sendRevalidated } from '../rendered-body.js';
import { ERROR_RESPONSES, type ApiOperation } from '../operations.js';
import { intParam, namespaceParam, parseQuery } from '../query.js';

const graphQuery = z.object({
  namespace: namespaceParam.optional(),
  maxEdges: intParam(1, GRAPH_EDGES_MAX).optional(),
  level: z.enum(['workload', 'namespace']).optional(),
});

export function graphOperations(): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/api/v1/graph',
      summary:
        'Workloads as nodes and observed flows as links (per namespace or the whole cluster), drops flagged; with level=namespace the whole-cluster summary: namespaces as nodes, links per namespace pair with counts and dropped counts',
      query: graphQuery,
      responses: {
        '200': { description: 'the service map', schema: z.union([graphJson, namespaceGraphJson]) },
        ...ERROR_RESPONSES,
      },
    },
  ];
}

export function graphRoutes(deps: AppDeps): Router {
  const router = exactRouter();
  router.get('/api/v1/graph', async (req, res) => {
    const query = parseQuery(graphQuery, req.query);
    const analysis = deps.analysis;
    if (query.level === 'namespace') {
      if (query.namespace !== undefined)
        throw new HttpError(
          'invalid_parameter',
          'namespace: not with level=namespace (the whole-cluster summary)',
        );
      const maxLinks = query.maxEdges ?? GRAPH_EDGES_MAX;
      const summary = await analysis.body(`graph-ns|${maxLinks}`, () =>
        analysis.namespaceGraph({ maxLinks, maxNodes: NAMESPACE_GRAPH_NODES_MAX }),
      );
      sendRevalidated(req, res, summary, analysis.now());
      return;
    }
    const maxEdges = query.maxEdges ?? GRAPH_EDGES_DEFAULT;
    const served = await analysis.body(`graph|${query.namespace ?? '*'}|${maxEdges}`, async () => {
      const { value: graph, version } = await analysis.graph(query.namespace, maxEdges);
      return { version, value: graphView(graph, query.namespace) };
    });
    sendRevalidated(req, res, served, analysis.now());
  });
  return router;
}
