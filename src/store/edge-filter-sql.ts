// The SQL of a filtered, id-ordered page of edges, shared by the store's list and iterate reads
// and the lean summary reads (views.ts): the same filters, the same order, the same indexes.
import type { EdgeQuery } from './types.js';

export type EdgeFilter = Omit<EdgeQuery, 'limit' | 'cursor'>;

/** The statement cache key of a filter: which clauses its SQL has. */
export function filterShape(filter: EdgeFilter, withCursor: boolean): string {
  return `${filter.namespace !== undefined}|${filter.verdict !== undefined}|${filter.sinceMs !== undefined}|${withCursor}`;
}

/**
 * `SELECT columns` of at most @limit edges matching the filter (and `id > @after` with a cursor),
 * in id order. `src = ns OR dst = ns` in id order would scan the whole table in rowid order;
 * instead each side is a range of its (namespace, id) index, at most @limit rows each, merged by
 * id. The second side skips rows the first already has (an edge within the namespace). The
 * indexes are named (001) so a verdict filter cannot steer the planner to the (verdict, id) index.
 */
export function edgePageSql(filter: EdgeFilter, withCursor: boolean, columns: string): string {
  const where: string[] = [];
  if (filter.verdict !== undefined) where.push('verdict = @verdict');
  if (filter.sinceMs !== undefined) where.push('last_seen_ms >= @sinceMs');
  if (withCursor) where.push('id > @after');
  const select = (conditions: readonly string[], index?: string): string =>
    `SELECT ${columns} FROM edges${index !== undefined ? ` INDEXED BY ${index}` : ''} ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY id LIMIT @limit`;
  return filter.namespace === undefined
    ? select(where)
    : `SELECT * FROM (${select(['src_namespace = @namespace', ...where], 'edges_src_namespace')})
       UNION ALL SELECT * FROM (${select(['dst_namespace = @namespace', 'src_namespace IS NOT @namespace', ...where], 'edges_dst_namespace')})
       ORDER BY id LIMIT @limit`;
}

/** The named parameters of edgePageSql. */
export function edgePageParams(
  filter: EdgeFilter,
  afterId: number | undefined,
  limit: number,
): Record<string, string | number> {
  const params: Record<string, string | number> = { limit };
  if (filter.namespace !== undefined) params['namespace'] = filter.namespace;
  if (filter.verdict !== undefined) params['verdict'] = filter.verdict;
  if (filter.sinceMs !== undefined) params['sinceMs'] = filter.sinceMs;
  if (afterId !== undefined) params['after'] = afterId;
  return params;
}
