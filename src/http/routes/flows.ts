// GET /api/v1/flows?namespace=&verdict=&limit=&cursor= : the aggregated edges, keyset-paged,
// in the contract's flow JSON shape ({"items": [...], "nextCursor": …}). A rendered page is reused
// until the next write (analysis.currentBody).
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { z } from 'zod';
import { VERDICTS, type Verdict } from '../../flows/flow.js';
import { edgeToJson } from '../../store/edge-json.js';
import { InvalidCursorError } from '../../store/store.js';
import type { EdgeQuery } from '../../store/types.js';
import type { AppDeps } from '../deps.js';
import { sendRendered } from '../rendered-body.js';
import { HttpError } from '../errors.js';
import { ERROR_RESPONSES, type ApiOperation } from '../operations.js';
import { flowsPageJson } from '../../api/flows.js';
import { intParam, namespaceParam, parseQuery } from '../query.js';

function flowsQuery(deps: Pick<AppDeps, 'limits'>) {
  return z.object({
    namespace: namespaceParam.optional(),
    verdict: z
      .enum(VERDICTS as readonly [Verdict, ...Verdict[]], { error: `must be one of ${VERDICTS.join(', ')}` })
      .optional(),
    limit: intParam(1, deps.limits.pageSizeMax).optional(),
    cursor: z.string().min(1).max(64, 'is not a cursor from this server').optional(),
  });
}

export function flowsOperations(deps: Pick<AppDeps, 'limits'>): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/api/v1/flows',
      summary: 'Aggregated observed flows (edges), keyset-paged',
      query: flowsQuery(deps),
      responses: {
        '200': {
          description: 'a page of edges',
          schema: flowsPageJson,
        },
        ...ERROR_RESPONSES,
      },
    },
  ];
}

export function flowsRoutes(deps: AppDeps): Router {
  const { pageSizeDefault } = deps.limits;
  const querySchema = flowsQuery(deps);
  const router = exactRouter();
  router.get('/api/v1/flows', (req, res) => {
    const query = parseQuery(querySchema, req.query);
    const edgeQuery: EdgeQuery = {
      limit: query.limit ?? pageSizeDefault,
      ...(query.namespace !== undefined ? { namespace: query.namespace } : {}),
      ...(query.verdict !== undefined ? { verdict: query.verdict } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    };
    const key = `flows|${edgeQuery.namespace ?? ''}|${edgeQuery.verdict ?? ''}|${edgeQuery.limit}|${edgeQuery.cursor ?? ''}`;
    sendRendered(
      req,
      res,
      deps.analysis.currentBody(key, () => {
        let page;
        try {
          page = deps.store.listEdges(edgeQuery);
        } catch (error) {
          if (error instanceof InvalidCursorError)
            throw new HttpError('invalid_parameter', 'cursor: is not a cursor from this server', {
              cause: error,
            });
          throw error;
        }
        return { items: page.items.map(edgeToJson), nextCursor: page.nextCursor };
      }),
    );
  });
  return router;
}
