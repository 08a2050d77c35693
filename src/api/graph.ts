// GET /api/v1/graph: the service map (workloads and outside addresses, links per node pair).
import { z } from 'zod';

export const graphNodeJson = z.object({
  id: z.string(),
  kind: z.string(),
  namespace: z.string().nullable(),
  name: z.string(),
  workloadKind: z.string().nullable(),
  names: z.array(z.string()),
});

export const graphLinkJson = z.object({
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

export const graphJson = z.object({
  namespace: z.string().nullable(),
  nodes: z.array(graphNodeJson),
  links: z.array(graphLinkJson),
  totalLinks: z.number().int(),
  truncated: z.boolean(),
});

export type GraphNodeJson = z.infer<typeof graphNodeJson>;
export type GraphLinkJson = z.infer<typeof graphLinkJson>;
export type GraphJson = z.infer<typeof graphJson>;
