// GET /api/v1/namespaces: a page of namespaces with their coverage, traffic and recent drops.
import { z } from 'zod';

export const coverageJson = z.object({
  defaultDenyIngress: z.boolean(),
  defaultDenyEgress: z.boolean(),
  policies: z.number().int(),
  pods: z.number().int(),
  podsSelected: z.number().int(),
  selectedShare: z.number().nullable(),
});

const recentDropsJson = z.object({ paths: z.number().int(), connections: z.number().int() });

export const namespaceJson = z.object({
  name: z.string(),
  /** null without a snapshot or inventory: coverage cannot be known. */
  coverage: coverageJson.nullable(),
  edges: z.number().int(),
  connections: z.number().int(),
  dropsLastHour: recentDropsJson,
  lastSeen: z.string().nullable(),
});

/** The whole store, each edge once (summing the namespaces counts cross-namespace edges twice). */
export const namespaceTotalsJson = z.object({
  edges: z.number().int(),
  connections: z.number().int(),
  dropsLastHour: recentDropsJson,
});

export const namespacesPageJson = z.object({
  items: z.array(namespaceJson),
  totals: namespaceTotalsJson,
  nextCursor: z.string().nullable(),
});

export type NamespaceJson = z.infer<typeof namespaceJson>;
export type NamespacesPageJson = z.infer<typeof namespacesPageJson>;
