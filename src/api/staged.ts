// Shadow mode's routes (/api/v1/staged): a staged set, its detail with drift, the paths it would drop.
import { z } from 'zod';
import { policyObject } from './common.js';

const stagedPeerJson = z.union([
  z.looseObject({ namespace: z.string(), workload: z.string().nullable(), kind: z.string() }),
  z.looseObject({ kind: z.string(), ip: z.string().nullable() }),
]);
export const stagedSetSchema = z.object({
  id: z.number().int(),
  namespace: z.string(),
  flavor: z.string(),
  origin: z.enum(['recommendation', 'given']),
  status: z.enum(['active', 'superseded', 'promoted', 'retired']),
  stagedAt: z.string(),
  stagedBy: z.string(),
  endedAt: z.string().nullable(),
  endedBy: z.string().nullable(),
  supersededBy: z.number().int().nullable(),
  policyNames: z.array(z.string()),
  readiness: z.object({
    verdict: z.enum(['ready', 'watching', 'would-break']),
    cleanSince: z.string(),
    cleanForSeconds: z.number().int(),
    remainingSeconds: z.number().int(),
    reason: z.string(),
  }),
  traffic: z.object({
    paths: z.number().int(),
    connections: z.number().int(),
    unevaluated: z.number().int(),
    wouldDropPaths: z.number().int(),
    wouldDropConnections: z.number().int(),
    lastWouldDrop: z.string().nullable(),
  }),
});
export const driftEntry = z.object({
  policy: z.string(),
  change: z.enum(['added', 'removed', 'changed', 'unchanged']),
  /** A policy's spec (a CiliumNetworkPolicy's `specs` list when it has several rules). */
  staged: z.union([z.looseObject({}), z.array(z.unknown())]).optional(),
  recommended: z.union([z.looseObject({}), z.array(z.unknown())]).optional(),
});
export const stagedDetailSchema = stagedSetSchema.extend({
  policies: z.array(policyObject),
  yaml: z.string(),
  drift: z
    .object({ recommended: z.array(policyObject), yaml: z.string(), diff: z.array(driftEntry) })
    .nullable(),
});
export const wouldDropSchema = z.object({
  source: stagedPeerJson,
  destination: stagedPeerJson,
  port: z.number().int().nullable(),
  protocol: z.string(),
  count: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  sourcePods: z.array(z.string()),
  destinationPods: z.array(z.string()),
  decidedBy: z.object({
    direction: z.string(),
    policies: z.array(z.string()),
    rule: z.number().int().nullable(),
    ruleName: z.string(),
    reason: z.string(),
  }),
});

export const stagedListJson = z.object({ items: z.array(stagedSetSchema), canWrite: z.boolean() });
export const wouldDropPageJson = z.object({
  items: z.array(wouldDropSchema),
  nextCursor: z.string().nullable(),
});

export type StagedSetJson = z.infer<typeof stagedSetSchema>;
export type StagedDetailJson = z.infer<typeof stagedDetailSchema>;
export type StagedListJson = z.infer<typeof stagedListJson>;
export type WouldDropJson = z.infer<typeof wouldDropSchema>;
export type WouldDropPageJson = z.infer<typeof wouldDropPageJson>;
