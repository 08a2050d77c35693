// GET /api/v1/drops?namespace=&classification=&since=&limit=&cursor= : blocked paths, classified,
// explained and with their fix (the `drops --json` items, wrapped as {"items": [...], "nonPolicy":
// {...}, "nextCursor", "total"}), newest first; `total` counts the paths in scope. The classified report over all edges is cached (analysis.ts); the
// namespace and time filters apply to it, as buildDropReports' own scoping would.
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { dropsPage } from '../../views/drops-page.js';
import { sendRevalidated } from '../rendered-body.js';
import { HttpError } from '../errors.js';
import { cursorParam, ERROR_RESPONSES, type ApiOperation } from '../operations.js';
import { DROP_CLASSIFICATIONS } from '../../api/constants.js';
import { dropsPageJson } from '../../api/drops.js';
import { intParam, namespaceParam, parseQuery } from '../query.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function dropsQuery(deps: Pick<AppDeps, 'limits'>) {
  return z.object({
    namespace: namespaceParam.optional(),
    classification: z
      .enum(DROP_CLASSIFICATIONS, { error: `must be one of ${DROP_CLASSIFICATIONS.join(', ')}` })
      .optional(),
    since: z
      .string()
      .regex(/^\d{1,9}[smhd]$/, 'must be a duration such as 30m, 6h or 7d')
      .optional(),
    limit: intParam(1, deps.limits.pageSizeMax).optional(),
    cursor: cursorParam.optional(),
  });
}

export function dropsOperations(deps: Pick<AppDeps, 'limits'>): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/api/v1/drops',
      summary: 'Blocked flows, classified and explained, with the policy that would admit each',
      query: dropsQuery(deps),
      responses: {
        '200': {
          description: 'a page of blocked paths, newest first',
          schema: dropsPageJson,
        },
        ...ERROR_RESPONSES,
      },
    },
  ];
}

function decodeOffset(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^o\d{1,9}$/.test(text))
    throw new HttpError('invalid_parameter', 'cursor: is not a cursor from this server');
  return Number(text.slice(1));
}

export function dropsRoutes(deps: AppDeps): Router {
  const querySchema = dropsQuery(deps);
  const router = exactRouter();
  router.get('/api/v1/drops', async (req, res) => {
    const query = parseQuery(querySchema, req.query);
    const analysis = deps.analysis;
    const sinceMs =
      query.since !== undefined
        ? analysis.now() - Number(query.since.slice(0, -1)) * (UNIT_MS[query.since.slice(-1)] ?? 1000)
        : undefined;
    const offset = query.cursor !== undefined ? decodeOffset(query.cursor) : 0;
    const limit = query.limit ?? deps.limits.pageSizeDefault;
    const key = `drops|${query.namespace ?? ''}|${query.classification ?? ''}|${query.since ?? ''}|${offset}|${limit}`;
    const served = await analysis.body(
      key,
      async () => {
        const { value: result, version } = await analysis.drops();
        const page = dropsPage(
          result.items,
          { namespace: query.namespace, sinceMs, classification: query.classification },
          { offset, limit },
        );
        const nextCursor =
          page.nextOffset !== null ? Buffer.from(`o${page.nextOffset}`, 'utf8').toString('base64url') : null;
        return {
          value: { items: page.items, nonPolicy: result.nonPolicy, nextCursor, total: page.total },
          version,
        };
      },
      query.since !== undefined ? String(Math.floor(analysis.now() / 5000)) : '',
    );
    sendRevalidated(req, res, served, analysis.now());
  });
  return router;
}
