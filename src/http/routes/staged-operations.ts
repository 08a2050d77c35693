// The documented shape of shadow mode's routes (routes/staged.ts): zod schemas the handlers
// validate with and the OpenAPI document is generated from.
import { z } from 'zod';
import { STAGE_FLAVORS } from '../../api/constants.js';
import type { AppDeps } from '../deps.js';
import { errorBody } from '../../api/common.js';
import { stagedDetailSchema, stagedListJson, stagedSetSchema, wouldDropPageJson } from '../../api/staged.js';
import { cursorParam, ERROR_RESPONSES, type ApiOperation, type ApiResponse } from '../operations.js';
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
export const stageBody = z.strictObject({
  namespace: namespaceParam,
  flavor: z.enum(STAGE_FLAVORS, { error: 'must be one of k8s, cilium, calico' }).optional(),
  /** Policy objects of one flavour: an array, a List, one object, or a YAML text (multi-document). */
  policies: z
    .union([z.array(z.unknown()), z.looseObject({ kind: z.string() }), z.string().max(4 * 1024 * 1024)])
    .optional(),
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
      summary: `Stage the current recommendation for a namespace in a flavour (k8s NetworkPolicy, cilium CiliumNetworkPolicy, calico projectcalico.org/v3 NetworkPolicy), or the given policies of one flavour; supersedes the namespace's active set. Judged live against the cluster's existing policies of every kind.${WRITE_NOTE}`,
      requestBody: {
        contentTypes: ['application/json'],
        description:
          '{namespace, flavor?, policies?}: policies as JSON objects or a YAML text; flavor defaults to k8s, or to the flavour of the given objects',
        schema: stageBody,
      },
      responses: {
        '201': { description: 'the staged set', schema: stagedDetailSchema },
        '409': {
          description:
            'the flavour cannot be judged here: the cluster enforces the other CNI family, or another namespace has an active set of it',
          schema: errorBody,
        },
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
          schema: stagedListJson,
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
          schema: wouldDropPageJson,
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
