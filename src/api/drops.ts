// GET /api/v1/drops: blocked paths, classified and explained, with their fix.
import { z } from 'zod';
import { peerJson, policyObject } from './common.js';
import { DROP_CLASSIFICATIONS } from './constants.js';

export const dropJson = z.looseObject({
  key: z.string(),
  source: peerJson,
  destination: peerJson,
  port: z.number().int().nullable(),
  protocol: z.string(),
  count: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  classification: z.enum(DROP_CLASSIFICATIONS),
  evidence: z.array(z.string()),
  deniedBy: z.array(z.string()),
  fix: z.array(policyObject),
  fixWarnings: z.array(z.string()),
  /** Set when an Admin-tier cluster policy's Deny decided the drop (namespace-scoped fixes cannot help). */
  adminTierDeny: z.array(z.looseObject({ kind: z.string(), name: z.string() })).optional(),
  /** Why the engine denied it, step by step (free-form: the dashboard shows its text). */
  explanation: z.unknown().optional(),
});

export const dropsPageJson = z.object({
  items: z.array(dropJson),
  nonPolicy: z.looseObject({}),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
});

export type DropClassification = (typeof DROP_CLASSIFICATIONS)[number];
export type DropJson = z.infer<typeof dropJson>;
export type DropsPageJson = z.infer<typeof dropsPageJson>;
