// Shadow mode's routes: stage (the current recommendation or given policies), list and show sets
// with readiness and drift, page their would-drop paths, promote (the export) and retire. The
// three writes go through write authorisation (write-auth.ts) for the set's namespace and are
// logged with the identity. Schemas: staged-operations.ts.
import type { Request } from 'express';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_READINESS, readinessOf } from '../../staged/readiness.js';
import { givenPolicies } from '../../staged/given-policies.js';
import { hasDrift, policyDrift } from '../../staged/drift.js';
import { promotedFiles, promotedYaml } from '../../staged/promote-export.js';
import { stagedSetJson, wouldDropJson } from '../../staged/set-view.js';
import type { StagedFlavor, StagedObject, StagedSet } from '../../staged/staged-set.js';
import { stagingConflict } from '../../staged/staged-snapshot.js';
import { toYamlStream } from '../../recommend/yaml-export.js';
import { InvalidCursorError, StagedSetNotActiveError, type StagedStore } from '../../store/staged-store.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { parseQuery } from '../query.js';
import { canWrite, LOOPBACK_IDENTITY, type WriteAuthorizer } from '../write-auth.js';
import { exactRouter } from '../router.js';
import { tarArchive } from '../tar.js';
import {
  listQuery,
  noQuery,
  promoteQuery,
  stageBody,
  stagedIdParams,
  wouldDropQuery,
} from './staged-operations.js';

export { stagedOperations } from './staged-operations.js';

function writeAuthOf(deps: AppDeps): WriteAuthorizer {
  if (deps.writeAuth !== undefined) return deps.writeAuth;
  return deps.auth.mode === 'none'
    ? () => Promise.resolve(LOOPBACK_IDENTITY)
    : () => Promise.reject(new HttpError('forbidden', 'changes are disabled: no write access is configured'));
}

function storeOf(deps: AppDeps): StagedStore {
  if (deps.staged === undefined)
    throw new HttpError('not_ready', 'shadow mode is not available in this server (no staged-set store)');
  return deps.staged;
}

function yamlObjects(text: string): unknown[] {
  const out: unknown[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0)
      throw new HttpError(
        'invalid_body',
        `policies: document ${i + 1}: not valid YAML: ${(doc.errors[0]?.message ?? '').split('\n')[0] ?? ''}`,
      );
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function bodyProblem(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`)
    .join('; ');
}

export function stagedRoutes(deps: AppDeps): ReturnType<typeof exactRouter> {
  const router = exactRouter();
  const readiness = deps.stagedReadiness ?? DEFAULT_READINESS;
  const now = deps.stagedNow ?? deps.analysis.now;
  const authorize = writeAuthOf(deps);
  const audit = (action: string, set: StagedSet, by: string) => {
    deps.auditLogger?.info(
      { action, stagedSet: set.id, namespace: set.namespace, identity: by, policies: set.policies.length },
      `staged set ${action}`,
    );
    if (action === 'stage' || action === 'promote' || action === 'retire')
      deps.onStagedChange?.({ action, id: set.id, namespace: set.namespace, by });
  };
  // The id segment: digits name a set (404 when there is none); another lowercase token is a bad
  // parameter (400); anything else (`.`, other case, `;`, escapes) is another spelling of a path,
  // which the exact-path rules of auth.ts answer with 404 like every other route.
  const setOf = (store: StagedStore, req: Request): StagedSet => {
    // req.path is the path as sent (not percent-decoded, unlike req.params).
    const raw = req.path.split('/')[4] ?? '';
    if (!/^[a-z0-9-]{1,40}$/.test(raw))
      throw new HttpError('not_found', `no route for ${req.method} ${req.path.slice(0, 200)}`);
    const { id } = parseQuery(stagedIdParams, { id: raw });
    const set = store.get(id);
    if (set === undefined) throw new HttpError('not_found', `no staged set ${id}`);
    return set;
  };
  const summary = (store: StagedStore, set: StagedSet) =>
    stagedSetJson(set, store.traffic(set.id), readiness, now());
  /** The namespace's current recommendation in `flavor` (computed by the analysis runner); [] when it has none. */
  const recommended = async (namespace: string, flavor: StagedFlavor): Promise<StagedObject[]> => {
    const objects = await deps.analysis.recommendations
      .recommendedObjects(namespace, flavor)
      .catch((error: unknown) => {
        throw deps.analysis.failure(error, 'staged-recommendation');
      });
    if (objects.ok === 'empty') return [];
    // The recommender's own objects failing the staging checks is a bug of ours, not the caller's.
    if (!objects.ok)
      throw new Error(`the ${flavor} recommendation for ${namespace} cannot be staged: ${objects.problem}`);
    return objects.policies;
  };
  const detail = async (store: StagedStore, set: StagedSet) => {
    const base = summary(store, set);
    // Drift only matters while live traffic shows the active set would drop something.
    let drift = null;
    if (set.status === 'active' && base.traffic.wouldDropPaths > 0) {
      const policies = await recommended(set.namespace, set.flavor);
      const diff = policyDrift(set.policies, policies);
      if (hasDrift(diff))
        drift = { recommended: policies, yaml: toYamlStream(policies.map((object) => ({ object }))), diff };
    }
    return { ...base, policies: set.policies, yaml: promotedYaml(set), drift };
  };

  router.post('/api/v1/staged', async (req, res) => {
    const store = storeOf(deps);
    if (!req.is('application/json'))
      throw new HttpError(
        'unsupported_media_type',
        'body: send {namespace, flavor?, policies?} as application/json',
      );
    const parsed = stageBody.safeParse(req.body);
    if (!parsed.success) throw new HttpError('invalid_body', bodyProblem(parsed.error.issues));
    const { namespace, flavor: asked, policies: given } = parsed.data;
    const by = await authorize(req.get('authorization'), namespace);
    let policies: StagedObject[];
    let origin: 'given' | 'recommendation';
    let flavor: StagedFlavor = asked ?? 'k8s';
    if (given !== undefined) {
      const objects = typeof given === 'string' ? yamlObjects(given) : Array.isArray(given) ? given : [given];
      const checked = givenPolicies(objects, namespace, asked);
      if (!checked.ok) throw new HttpError('invalid_body', checked.problem);
      ({ policies, flavor } = checked);
      origin = 'given';
    } else {
      policies = await recommended(namespace, flavor);
      origin = 'recommendation';
      if (policies.length === 0)
        throw new HttpError(
          'invalid_body',
          `namespace: no recommendation for ${namespace} (no forwarded traffic observed there): nothing to stage`,
        );
    }
    const conflict = stagingConflict(flavor, namespace, deps.analysis.snapshot(), store.activeSets());
    if (conflict !== undefined) throw new HttpError('conflict', conflict);
    const set = store.stage({ namespace, flavor, origin, policies, by, nowMs: now() });
    audit('stage', set, by);
    res.status(201).json(await detail(store, set));
  });

  router.get('/api/v1/staged', async (req, res) => {
    const store = storeOf(deps);
    const query = parseQuery(listQuery, req.query);
    const status = query.status ?? 'all';
    const items = store
      .list()
      .filter(
        (s) =>
          (status === 'all' || s.status === status) &&
          (query.namespace === undefined || s.namespace === query.namespace),
      );
    res.json({
      items: items.map((set) => summary(store, set)),
      canWrite: await canWrite(authorize, req.get('authorization')),
    });
  });

  router.get('/api/v1/staged/:id', async (req, res) => {
    parseQuery(noQuery, req.query);
    const store = storeOf(deps);
    res.json(await detail(store, setOf(store, req)));
  });

  const wouldDrop = wouldDropQuery(deps);
  router.get('/api/v1/staged/:id/would-drop', (req, res) => {
    const store = storeOf(deps);
    const query = parseQuery(wouldDrop, req.query);
    const set = setOf(store, req);
    let page;
    try {
      page = store.wouldDrops(set.id, query.limit ?? deps.limits.pageSizeDefault, query.cursor);
    } catch (error) {
      if (error instanceof InvalidCursorError)
        throw new HttpError('invalid_parameter', 'cursor: is not a cursor from this server', {
          cause: error,
        });
      throw error;
    }
    res.json({ items: page.items.map(wouldDropJson), nextCursor: page.nextCursor });
  });

  const end = async (req: Request, status: 'promoted' | 'retired'): Promise<StagedSet> => {
    const store = storeOf(deps);
    const set = setOf(store, req);
    const by = await authorize(req.get('authorization'), set.namespace);
    try {
      const ended = store.end(set.id, status, by, now());
      audit(status === 'promoted' ? 'promote' : 'retire', ended, by);
      return ended;
    } catch (error) {
      if (error instanceof StagedSetNotActiveError)
        throw new HttpError('conflict', error.message, { cause: error });
      throw error;
    }
  };

  router.post('/api/v1/staged/:id/promote', async (req, res) => {
    const query = parseQuery(promoteQuery, req.query);
    const store = storeOf(deps);
    const set = await end(req, 'promoted');
    const base = `netpol-advisor-staged-${set.namespace}-${set.id}`;
    if (query.format === 'tar') {
      const reason = readinessOf(set, store.traffic(set.id), readiness, set.endedAtMs ?? now()).reason;
      res
        .attachment(`${base}.tar`)
        .type('application/x-tar')
        .send(tarArchive(base, promotedFiles(set, reason), now(), new Set()));
    } else {
      res.attachment(`${base}.yaml`).type('application/yaml').send(promotedYaml(set));
    }
  });

  router.delete('/api/v1/staged/:id', async (req, res) => {
    parseQuery(noQuery, req.query);
    const store = storeOf(deps);
    const set = await end(req, 'retired');
    res.json(summary(store, set));
  });
  return router;
}
