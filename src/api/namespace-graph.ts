// GET /api/v1/graph?level=namespace: the whole-cluster summary map — namespaces (and outside peers
// grouped by kind) as nodes, observed edges aggregated per ordered pair as links with dropped counts.
import { z } from 'zod';

const trafficCounts = {
  count: z.number().int(),
  droppedCount: z.number().int(),
  paths: z.number().int(),
  droppedPaths: z.number().int(),
};

export const namespaceGraphNodeJson = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  workloads: z.number().int(),
  internal: z.object(trafficCounts),
});

export const namespaceGraphLinkJson = z.object({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  ...trafficCounts,
});

export const namespaceGraphJson = z.object({
  level: z.literal('namespace'),
  nodes: z.array(namespaceGraphNodeJson),
  links: z.array(namespaceGraphLinkJson),
  totalNodes: z.number().int(),
  totalLinks: z.number().int(),
  truncated: z.boolean(),
});

export type NamespaceGraphNodeJson = z.infer<typeof namespaceGraphNodeJson>;
export type NamespaceGraphLinkJson = z.infer<typeof namespaceGraphLinkJson>;
export type NamespaceGraphJson = z.infer<typeof namespaceGraphJson>;
