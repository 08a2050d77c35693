// The documented shape of shadow mode's routes (routes/staged.ts): zod schemas the handlers
// validate with and the OpenAPI document is generated from.
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import {
  cursorParam,
  ERROR_RESPONSES,
  errorBody,
  policyObject,
  type ApiOperation,
  type ApiResponse,
} from '../operations.js';
import { intParam, namespaceParam } from '../query.js';

/** A set id; anything else names no set (404). */
export const stagedIdParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a staged set id (a positive integer)')
    .transform(Number),
});
/** Routes without query parameters still refuse unknown ones. */
export const noQuery = z.object({});
export const listQuery = z.object({
  namespace: namespaceParam.optional(),
  status: z
    .enum(['active', 'superseded', 'promoted', 'retired', 'all'], {
      error: 'must be one of active, superseded, promoted, retired, all',
    })
    .optional(),
});
export function wouldDropQuery(deps: Pick<AppDeps, 'limits'>) {
  return z.object({ limit: intParam(1, deps.limits.pageSizeMax).optional(), cursor: cursorParam.optional() });
}
export const promoteQuery = z.object({
  format: z.enum(['yaml', 'tar'], { error: 'must be one of yaml, tar' }).optional(),
});
export const STAGE_FLAVORS = ['k8s', 'cilium', 'calico'] as const;
export const stageBody = z.strictObject({
  namespace: namespaceParam,
  flavor: z.enum(STAGE_FLAVORS, { error: 'must be one of k8s, cilium, calico' }).optional(),
  /** NetworkPolicy objects: an array, a List, one object, or a YAML text (multi-document). */
  policies: z
    .union([z.array(z.unknown()), z.looseObject({ kind: z.string() }), z.string().max(4 * 1024 * 1024)])
    .optional(),
});

const peer = z.union([
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
const driftEntry = z.object({
  policy: z.string(),
  change: z.enum(['added', 'removed', 'changed', 'unchanged']),
  staged: z.looseObject({}).optional(),
  recommended: z.looseObject({}).optional(),
});
export const stagedDetailSchema = stagedSetSchema.extend({
  policies: z.array(policyObject),
  yaml: z.string(),
  drift: z
    .object({ recommended: z.array(policyObject), yaml: z.string(), diff: z.array(driftEntry) })
    .nullable(),
});
export const wouldDropSchema = z.object({
  source: peer,
  destination: peer,
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
    reason: z.string(),
  }),
});

const notFound: ApiResponse = { description: 'no staged set with this id', schema: errorBody };
const unavailable: ApiResponse = {
  description: 'shadow mode is not available (no staged-set store)',
  schema: errorBody,
};
const WRITE_NOTE =
  ' Write access: auth.mode token needs the write token (auth.writeTokenFile; the read token gets 403); auth.mode kubernetes a SubjectAccessReview for create on networkpolicies.networking.k8s.io in the namespace.';

export function stagedOperations(deps: Pick<AppDeps, 'limits'>): ApiOperation[] {
  const setPath = '/api/v1/staged/{id}';
  return [
    {
      method: 'post',
      path: '/api/v1/staged',
      summary: `Stage the current recommendation for a namespace, or the given NetworkPolicies; supersedes the namespace's active set.${WRITE_NOTE}`,
      requestBody: {
        contentTypes: ['application/json'],
        description: '{namespace, flavor?, policies?}: policies as JSON objects or a YAML text',
        schema: stageBody,
      },
      responses: {
        '201': { description: 'the staged set', schema: stagedDetailSchema },
        '415': { description: 'not JSON', schema: errorBody },
        ...ERROR_RESPONSES,
        '503': unavailable,
      },
    },
    {
      method: 'get',
      path: '/api/v1/staged',
      summary:
        'Staged sets (newest first) with readiness and the traffic judged since staging; canWrite says whether this caller may change them',
      query: listQuery,
      responses: {
        '200': {
          description: 'the sets',
          schema: z.object({ items: z.array(stagedSetSchema), canWrite: z.boolean() }),
        },
        ...ERROR_RESPONSES,
        '503': unavailable,
      },
    },
    {
      method: 'get',
      path: setPath,
      summary:
        'One staged set with its policies and, when live traffic shows paths it would drop, the re-computed proposal and its diff',
      pathParams: stagedIdParams,
      responses: {
        '200': { description: 'the set', schema: stagedDetailSchema },
        ...ERROR_RESPONSES,
        '404': notFound,
        '503': unavailable,
      },
    },
    {
      method: 'get',
      path: `${setPath}/would-drop`,
      summary:
        'The paths the staged set would have dropped since staging, with evidence, keyset-paged like flows',
      pathParams: stagedIdParams,
      query: wouldDropQuery(deps),
      responses: {
        '200': {
          description: 'a page',
          schema: z.object({ items: z.array(wouldDropSchema), nextCursor: z.string().nullable() }),
        },
        ...ERROR_RESPONSES,
        '404': notFound,
        '503': unavailable,
      },
    },
    {
      method: 'post',
      path: `${setPath}/promote`,
      summary: `Mark the active set promoted and return its policies as a download (YAML, or the kustomize folder as tar).${WRITE_NOTE}`,
      pathParams: stagedIdParams,
      query: promoteQuery,
      responses: {
        '200': {
          description: 'attachment: application/yaml or application/x-tar',
          contentType: 'application/octet-stream',
        },
        '409': { description: 'the set is not active', schema: errorBody },
        ...ERROR_RESPONSES,
        '404': notFound,
        '503': unavailable,
      },
    },
    {
      method: 'delete',
      path: setPath,
      summary: `Retire the active set (kept as history).${WRITE_NOTE}`,
      pathParams: stagedIdParams,
      responses: {
        '200': { description: 'the retired set', schema: stagedSetSchema },
        '409': { description: 'the set is not active', schema: errorBody },
        ...ERROR_RESPONSES,
        '404': notFound,
        '503': unavailable,
      },
    },
  ];
}
