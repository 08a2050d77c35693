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
