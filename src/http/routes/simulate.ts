// POST /api/v1/simulate : body NetworkPolicy objects as YAML (application/yaml, text/yaml; multi-
// document and `List` accepted) or JSON (an object, a List or an array). Replays every observed
// forwarded flow against the existing policies with these added (a given policy replaces the
// existing one of the same namespace/name, as kubectl apply would) and returns the flows it would
// drop. The body size is bounded by limits.requestBodyBytes; an invalid object is a 400 naming it.
// Paths a policy in force applies to that the snapshot cannot decide (a Cilium host policy on an
// address no Node has) are not replayed: `notEvaluated` counts them and `skippedPaths` names them,
// as `simulate` prints NOT EVALUATED lines (the CLI also exits 1 for them).
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { z } from 'zod';
import { compilePolicies } from '../../policy/engine.js';
import { EMPTY_SNAPSHOT, type NetworkPolicy } from '../../policy/model.js';
import { formatProblem, parseClusterObjects } from '../../policy/parse-objects.js';
import { isRecord } from '../../lib/is-record.js';
import { formatYamlProblem, parseYamlDocuments } from '../../policy/yaml-documents.js';
import type { ObservedEdge } from '../../recommend/proposal.js';
import { EndpointResolver, replayEdges, replayedPods } from '../../recommend/replay.js';
import { reportIgnored } from '../../policy/ignored-selection.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { ERROR_RESPONSES, type ApiOperation } from '../operations.js';
import type { PeerJson } from '../../api/common.js';
import { simulateJson } from '../../api/simulate.js';

export const SIMULATE_MAX_OBJECTS = 1000;
/** Dropped flows listed in the response at most (`droppedTotal` has them all). */
export const SIMULATE_MAX_LISTED = 1000;
export const YAML_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'];

export function simulateOperations(): ApiOperation[] {
  return [
    {
      method: 'post',
      path: '/api/v1/simulate',
      summary:
        'Replay the observed flows against the existing policies plus the given ones: what would be dropped',
      requestBody: {
        contentTypes: ['application/json', ...YAML_TYPES],
        description: 'NetworkPolicy objects: one object, a List, a JSON array, or multi-document YAML',
        schema: z.union([
          z.looseObject({ kind: z.string() }),
          z.array(z.looseObject({ kind: z.string() })),
          z.string(),
        ]),
      },
      responses: {
        '200': { description: 'the observed flows the policy set would drop', schema: simulateJson },
        '413': { description: 'body too large' },
        '415': { description: 'not JSON or YAML' },
        ...ERROR_RESPONSES,
      },
    },
  ];
}

function objectsOfBody(body: unknown): unknown[] {
  if (typeof body === 'string') {
    // Core schema only; an alias bomb or a non-JSON tag is the client's fault: a 400 naming it.
    const parsed = parseYamlDocuments(body);
    const problem = parsed.problems[0];
    if (problem !== undefined) throw new HttpError('invalid_body', `body: ${formatYamlProblem(problem)}`);
    return parsed.values.map((v) => v.value);
  }
  if (Array.isArray(body)) return body as unknown[];
  if (isRecord(body)) return [body];
  throw new HttpError('invalid_body', 'body: expected NetworkPolicy objects as JSON or YAML');
}

function end(peer: ObservedEdge['source'], names: readonly string[]): PeerJson {
  if (peer.kind === 'pod')
    return {
      namespace: peer.namespace ?? '',
      workload: peer.workload ?? null,
      kind: peer.workloadKind ?? 'Pod',
    };
  return { kind: peer.kind, ip: peer.ip ?? null, names: [...names] };
}

function policiesOf(objects: readonly unknown[]): NetworkPolicy[] {
  const flat = objects.flatMap((o) =>
    isRecord(o) && o['kind'] === 'List' && Array.isArray(o['items']) ? (o['items'] as unknown[]) : [o],
  );
  if (flat.length === 0) throw new HttpError('invalid_body', 'body: no NetworkPolicy object given');
  if (flat.length > SIMULATE_MAX_OBJECTS)
    throw new HttpError('invalid_body', `body: more than ${SIMULATE_MAX_OBJECTS} objects`);
  flat.forEach((o, i) => {
    const kind = isRecord(o) ? o['kind'] : undefined;
    if (kind !== 'NetworkPolicy')
      throw new HttpError(
        'invalid_body',
        `item ${i}: kind: must be NetworkPolicy (got ${typeof kind === 'string' ? kind.slice(0, 64) : typeof kind})`,
      );
  });
  const parsed = parseClusterObjects(flat, { maxObjects: SIMULATE_MAX_OBJECTS });
  const problem = parsed.problems[0];
  if (problem !== undefined) {
    throw new HttpError(
      'invalid_body',
      `${formatProblem(problem)}${parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more problems)` : ''}`.slice(
        0,
        1000,
      ),
    );
  }
  return [...parsed.snapshot.policies];
}

export function simulateRoutes(deps: AppDeps): Router {
  const router = exactRouter();
  router.post('/api/v1/simulate', (req, res) => {
    const body: unknown = req.body;
    if (body === undefined || (typeof body === 'string' && !req.is(YAML_TYPES))) {
      throw new HttpError(
        'unsupported_media_type',
        `body: send NetworkPolicy objects as application/json or ${YAML_TYPES.join(', ')}`,
      );
    }
    const given = policiesOf(objectsOfBody(body));
    const snapshot = deps.analysis.snapshot() ?? EMPTY_SNAPSHOT;
    const replaced = new Set(given.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    const policies = [
      ...snapshot.policies.filter((p) => !replaced.has(`${p.metadata.namespace}/${p.metadata.name}`)),
      ...given,
    ];
    const engine = compilePolicies({ ...snapshot, policies });
    const resolver = new EndpointResolver(snapshot === EMPTY_SNAPSHOT ? undefined : snapshot);
    const result = replayEdges(deps.store.iterateEdges({ verdict: 'forwarded' }), engine, resolver);
    // Only computed when something was ignored: it reads the edges a second time.
    const ignored =
      engine.ignored.length === 0
        ? []
        : reportIgnored(
            engine.ignored,
            replayedPods(deps.store.iterateEdges({ verdict: 'forwarded' }), snapshot, resolver),
          );
    res.json({
      policies: given.map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
      replayed: result.replayed,
      allowed: result.allowed,
      droppedTotal: result.dropped.length,
      dropped: result.dropped.slice(0, SIMULATE_MAX_LISTED).map(({ edge, decision }) => ({
        id: edge.id,
        source: end(edge.source, edge.sourceNames),
        destination: end(edge.destination, edge.destinationNames),
        port: edge.port,
        protocol: edge.protocol,
        count: edge.count,
        firstSeen: new Date(edge.firstSeenMs).toISOString(),
        lastSeen: new Date(edge.lastSeenMs).toISOString(),
        egress: decision.egress,
        ingress: decision.ingress,
      })),
      skipped: result.skipped.length,
      skippedPaths: result.skipped.slice(0, SIMULATE_MAX_LISTED),
      notEvaluated: result.notEvaluated,
      ignored: ignored.map(({ appliesTo: _a, ...rest }) => rest),
    });
  });
  return router;
}
