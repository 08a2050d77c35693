// The namespaces page behind GET /api/v1/namespaces: every namespace known from the snapshot or
// the observed edges, by name, each with its policy coverage (null without a snapshot), observed
// edges and connections, and its drops of the last hour; plus the whole store's totals (each edge
// once). Plain data in, plain data out: the route encodes the cursor and renders the body.
import type { ClusterSnapshot } from '../policy/model.js';
import { ALL_NAMESPACES, coverageOf, type NamespaceCoverage, type NamespaceTraffic } from './coverage.js';

const HOUR_MS = 3_600_000;

export interface RecentDrops {
  readonly paths: number;
  readonly connections: number;
}

export interface NamespaceSummary {
  readonly name: string;
  readonly coverage: NamespaceCoverage | null;
  readonly edges: number;
  readonly connections: number;
  readonly dropsLastHour: RecentDrops;
  /** ISO time of the namespace's newest edge; null when none was seen. */
  readonly lastSeen: string | null;
}

export interface NamespacesPage {
  readonly items: readonly NamespaceSummary[];
  readonly totals: {
    readonly edges: number;
    readonly connections: number;
    readonly dropsLastHour: RecentDrops;
  };
  /** The last name of this page when more follow (the route turns it into a cursor). */
  readonly lastName: string | null;
}

function recentDrops(traffic: NamespaceTraffic | undefined, sinceMs: number): RecentDrops {
  let paths = 0;
  let connections = 0;
  for (const drop of traffic?.drops ?? []) {
    if (drop.lastSeenMs < sinceMs) continue;
    paths++;
    connections += drop.count;
  }
  return { paths, connections };
}

/** The page of namespaces after `after` (by name), at most `limit` of them, as of `nowMs`. */
export function namespacesPage(
  traffic: ReadonlyMap<string, NamespaceTraffic>,
  snapshot: ClusterSnapshot | undefined,
  page: { readonly after: string | undefined; readonly limit: number; readonly nowMs: number },
): NamespacesPage {
  const names = new Set<string>([...traffic.keys()].filter((n) => n !== ALL_NAMESPACES));
  for (const ns of snapshot?.namespaces ?? []) names.add(ns.name);
  const after = page.after;
  const sorted = [...names].filter((n) => after === undefined || n > after).sort();
  const pageNames = sorted.slice(0, page.limit);
  const sinceMs = page.nowMs - HOUR_MS;
  const all = traffic.get(ALL_NAMESPACES);
  const items = pageNames.map((name): NamespaceSummary => {
    const t = traffic.get(name);
    return {
      name,
      coverage: snapshot !== undefined ? coverageOf(snapshot, name) : null,
      edges: t?.edges ?? 0,
      connections: t?.connections ?? 0,
      dropsLastHour: recentDrops(t, sinceMs),
      lastSeen: t !== undefined && t.lastSeenMs > 0 ? new Date(t.lastSeenMs).toISOString() : null,
    };
  });
  const last = pageNames[pageNames.length - 1];
  return {
    items,
    totals: {
      edges: all?.edges ?? 0,
      connections: all?.connections ?? 0,
      dropsLastHour: recentDrops(all, sinceMs),
    },
    lastName: sorted.length > page.limit && last !== undefined ? last : null,
  };
}
