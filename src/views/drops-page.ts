// The page of blocked paths behind GET /api/v1/drops: the classified report over every edge
// (computed once per data version) scoped the way buildDropReports' own options would scope it —
// a namespace on either side, a last-seen time, a class — then cut at an offset. Pure.
import type { DropReport } from '../drops/report.js';
import type { Classification } from '../drops/types.js';

export interface DropsScope {
  /** Only paths with this namespace on either side. */
  readonly namespace?: string | undefined;
  /** Only paths last seen at or after this time. */
  readonly sinceMs?: number | undefined;
  readonly classification?: Classification | undefined;
}

export interface DropsPage {
  readonly items: readonly DropReport[];
  /** Paths in scope, on every page. */
  readonly total: number;
  /** The offset of the next page when more follow. */
  readonly nextOffset: number | null;
}

function inNamespace(item: DropReport, namespace: string): boolean {
  return (
    ('namespace' in item.source && item.source.namespace === namespace) ||
    ('namespace' in item.destination && item.destination.namespace === namespace)
  );
}

export function dropsInScope(items: readonly DropReport[], scope: DropsScope): DropReport[] {
  const { namespace, sinceMs, classification } = scope;
  return items.filter(
    (item) =>
      (sinceMs === undefined || item.lastSeenMs >= sinceMs) &&
      (classification === undefined || item.classification === classification) &&
      (namespace === undefined || inNamespace(item, namespace)),
  );
}

/** The `limit` paths in scope from `offset` on (the report's order: newest first). */
export function dropsPage(
  items: readonly DropReport[],
  scope: DropsScope,
  page: { readonly offset: number; readonly limit: number },
): DropsPage {
  const inScope = dropsInScope(items, scope);
  const end = page.offset + page.limit;
  return {
    items: inScope.slice(page.offset, end),
    total: inScope.length,
    nextOffset: end < inScope.length ? end : null,
  };
}
