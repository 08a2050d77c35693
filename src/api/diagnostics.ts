// GET /api/v1/diagnostics: the doctor's findings, the same JSON array as `doctor --json`.
import { z } from 'zod';
import { policyObject } from './common.js';

export const findingJson = z.looseObject({
  kind: z.string(),
  severity: z.string(),
  /** '' when the finding spans no namespace. */
  namespace: z.string(),
  objects: z.array(z.string()),
  summary: z.string(),
  evidence: z.array(z.string()),
  /** NetworkPolicy objects to apply, in order, or a text saying what to do. */
  fix: z.union([z.array(policyObject), z.string()]),
  fixNote: z.string().optional(),
  cause: z.string().optional(),
});

export const findingsJson = z.array(findingJson);

export type FindingJson = z.infer<typeof findingJson>;
