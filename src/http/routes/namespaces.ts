// GET /api/v1/namespaces?limit=&cursor= : every namespace (from the snapshot/inventory and from the
// observed edges) with its policy coverage, observed edges and drops in the last hour; paged by name.
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { z } from 'zod';
import { namespacesPage } from '../../views/namespace-summaries.js';
import { namespacesPageJson } from '../../api/namespaces.js';
import type { AppDeps } from '../deps.js';
import { sendRevalidated } from '../rendered-body.js';
import { HttpError } from '../errors.js';
import { cursorParam, ERROR_RESPONSES, type ApiOperation } from '../operations.js';
import { intParam, parseQuery } from '../query.js';

function namespacesQuery(deps: Pick<AppDeps, 'limits'>) {
  return z.object({ limit: intParam(1, deps.limits.pageSizeMax).optional(), cursor: cursorParam.optional() });
}

export function namespacesOperations(deps: Pick<AppDeps, 'limits'>): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/api/v1/namespaces',
      summary: 'Each namespace with its policy coverage, observed edges and drops in the last hour',
      query: namespacesQuery(deps),
      responses: {
        '200': {
          description: 'a page of namespaces, by name',
          schema: namespacesPageJson,
        },
        ...ERROR_RESPONSES,
      },
    },
  ];
}

function decodeCursor(cursor: string): string {
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name))
    throw new HttpError('invalid_parameter', 'cursor: is not a cursor from this server');
  return name;
}

export function namespacesRoutes(deps: AppDeps): Router {
  const querySchema = namespacesQuery(deps);
  const router = exactRouter();
  router.get('/api/v1/namespaces', async (req, res) => {
    const query = parseQuery(querySchema, req.query);
    const limit = query.limit ?? deps.limits.pageSizeDefault;
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
    const analysis = deps.analysis;
    // "The last hour" moves: the rendered page is reused for at most 10 s of it.
    const key = `namespaces|${after ?? ''}|${limit}`;
    const served = await analysis.body(
      key,
      async () => {
        const { value: traffic, version } = await analysis.traffic();
        const { items, totals, lastName } = namespacesPage(traffic, analysis.snapshot(), {
          after,
          limit,
          nowMs: analysis.now(),
        });
        const nextCursor = lastName !== null ? Buffer.from(lastName, 'utf8').toString('base64url') : null;
        return { version, value: { items, totals, nextCursor } };
      },
      String(Math.floor(analysis.now() / 10_000)),
    );
    sendRevalidated(req, res, served, analysis.now());
  });
  return router;
}
