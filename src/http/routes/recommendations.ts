// GET /api/v1/recommendations?namespace= : the proposed policies per namespace with each rule's
// evidence, the diff against the existing policies, the exposure reduction, the verify.sh
// commands and the warnings, from the cached, replay-proven recommendation (analysis.ts).
// GET /api/v1/recommendations/export?namespace=&format=yaml|json|tar&flavor= : the manifests as a
// download (tar: the `recommend --out` kustomize folder).
import type { Router } from 'express';
import { exactRouter } from '../router.js';
import { z } from 'zod';
import type { NetworkPolicy } from '../../policy/model.js';
import { exportFiles, exportJson, objectsOf, yamlStream, type ExportOptions } from '../../recommend/export.js';
import { FLAVORS, type Flavor } from '../../recommend/flavor.js';
import type { RecommendationProof } from '../../recommend/proof.js';
import { policiesFor } from '../../recommend/proposal.js';
import { verifyScript } from '../../recommend/verify-script.js';
import { toYamlStream } from '../../recommend/yaml-export.js';
import { analysisOf } from '../analysis.js';
import type { AppDeps } from '../deps.js';
import { sendRevalidated } from '../rendered-body.js';
import { ERROR_RESPONSES, policyObject, type ApiOperation } from '../operations.js';
import { namespaceParam, parseQuery } from '../query.js';
import { tarArchive } from '../tar.js';

const flavorParam = z.enum(FLAVORS as readonly [Flavor, ...Flavor[]], { error: `must be one of ${FLAVORS.join(', ')}` });
const recommendationsQuery = z.object({ namespace: namespaceParam.optional(), flavor: flavorParam.optional() });
const exportQuery = z.object({
  namespace: namespaceParam.optional(),
  format: z.enum(['yaml', 'json', 'tar'], { error: 'must be one of yaml, json, tar' }).optional(),
  flavor: flavorParam.optional(),
});

const exposureJson = z.object({ reachable: z.number().int(), total: z.number().int() }).nullable();
const diffEntry = z.object({ policy: z.string(), change: z.enum(['added', 'changed', 'unchanged', 'kept']), detail: z.string() });
const unsafePathJson = z.object({ namespace: z.string(), path: z.string(), code: z.string(), reason: z.string() });
const namespaceRecommendationJson = z.object({
  namespace: z.string(),
  policies: z.array(z.object({
    name: z.string(), role: z.string(), workload: z.string().nullable(), yaml: z.string(),
    objects: z.array(policyObject), rules: z.array(z.looseObject({ direction: z.string(), index: z.number().int(), peer: z.string(), connections: z.number() })),
  })),
  diff: z.array(diffEntry),
  tests: z.array(z.looseObject({ expect: z.string(), description: z.string() })),
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string() })),
  safe: z.boolean(),
  unsafe: z.array(unsafePathJson),
});
const recommendationsJson = z.object({
  namespace: z.string().nullable(),
  safe: z.boolean(),
  unsafe: z.array(unsafePathJson),
  flavor: z.string(),
  namespaces: z.array(namespaceRecommendationJson),
  exposure: z.object({ before: exposureJson, after: exposureJson, reduction: z.number().nullable() }),
  proof: z.looseObject({ replayed: z.number().int(), allowed: z.number().int(), violations: z.number().int() }),
  tighten: z.array(z.looseObject({ policy: z.string(), message: z.string() })),
  verifyScript: z.string(),
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string() })),
  window: z.object({ firstSeen: z.string(), lastSeen: z.string() }).nullable(),
});

export function recommendationsOperations(): ApiOperation[] {
  return [
    {
      method: 'get', path: '/api/v1/recommendations',
      summary: 'Proposed policies with evidence per rule, the diff against existing policies, exposure reduction, verify.sh and warnings',
      query: recommendationsQuery,
      responses: { '200': { description: 'the recommendation', schema: recommendationsJson }, ...ERROR_RESPONSES },
    },
    {
      method: 'get', path: '/api/v1/recommendations/export',
      summary: 'The proposed manifests as a download: multi-document YAML, JSON, or a tar of the kustomize folder',
      query: exportQuery,
      responses: {
        '200': { description: 'attachment (Content-Disposition); yaml: application/yaml, json: application/json, tar: application/x-tar', contentType: 'application/octet-stream' },
        ...ERROR_RESPONSES,
      },
    },
  ];
}

/** Added / changed / unchanged per proposed policy, and existing policies the proposal keeps. */
function diffAgainst(existing: readonly NetworkPolicy[], proposed: readonly NetworkPolicy[]): z.infer<typeof diffEntry>[] {
  const byName = new Map(existing.map((p) => [p.metadata.name, p]));
  const out: z.infer<typeof diffEntry>[] = [];
  for (const policy of proposed) {
    const before = byName.get(policy.metadata.name);
    if (before === undefined) out.push({ policy: policy.metadata.name, change: 'added', detail: 'new policy' });
    else if (JSON.stringify(before.spec) === JSON.stringify(policy.spec)) out.push({ policy: policy.metadata.name, change: 'unchanged', detail: 'identical spec already applied' });
    else out.push({ policy: policy.metadata.name, change: 'changed', detail: 'replaces the existing policy of the same name' });
    byName.delete(policy.metadata.name);
  }
  for (const name of byName.keys()) out.push({ policy: name, change: 'kept', detail: 'existing policy, left in place (policies are additive)' });
  return out;
}

function reduction(proof: RecommendationProof): number | null {
  const before = proof.exposureBefore;
  const after = proof.exposureAfter;
  if (before === undefined || after === undefined || before.reachable === 0) return null;
  return (before.reachable - after.reachable) / before.reachable;
}

export function recommendationsRoutes(deps: AppDeps): Router {
  const router = exactRouter();
  router.get('/api/v1/recommendations', async (req, res) => {
    const query = parseQuery(recommendationsQuery, req.query);
    const options: ExportOptions = { flavor: query.flavor ?? 'k8s', staged: false };
    const analysis = analysisOf(deps);
    const served = await analysis.body(`recommendations|${query.namespace ?? '*'}|${options.flavor}`, async () => {
    const { value: { recommendation, proof }, version } = await analysis.recommendationLater(query.namespace);
    const existing = analysis.snapshot()?.policies ?? [];
    return { version, value: {
      namespace: query.namespace ?? null,
      safe: recommendation.unsafe.length === 0,
      unsafe: recommendation.unsafe,
      flavor: options.flavor,
      namespaces: recommendation.namespaces.map((ns) => ({
        namespace: ns.namespace,
        safe: ns.unsafe.length === 0,
        unsafe: ns.unsafe,
        policies: policiesFor(ns, options.flavor).map((p) => {
          const objects = objectsOf({ ...ns, policies: [p] }, options);
          return {
            name: p.policy.metadata.name, role: p.role, workload: p.workload ?? null,
            yaml: toYamlStream(objects), objects: objects.map((o) => o.object), rules: p.rules,
          };
        }),
        diff: diffAgainst(existing.filter((p) => p.metadata.namespace === ns.namespace), policiesFor(ns, options.flavor).map((p) => p.policy)),
        tests: ns.tests,
        warnings: ns.warnings,
      })),
      exposure: { before: proof.exposureBefore ?? null, after: proof.exposureAfter ?? null, reduction: reduction(proof) },
      proof: {
        replayed: proof.replayed, allowed: proof.allowed, violations: proof.violations.length, knownGaps: proof.knownGaps,
        skipped: proof.skipped, coveredByExisting: proof.coveredByExisting, newlyAllowed: proof.newlyAllowed,
      },
      tighten: proof.tighten.slice(0, 500),
      verifyScript: verifyScript(recommendation.namespaces),
      warnings: recommendation.warnings,
      window: recommendation.window === null ? null : { firstSeen: new Date(recommendation.window.firstSeenMs).toISOString(), lastSeen: new Date(recommendation.window.lastSeenMs).toISOString() },
    } };
    });
    sendRevalidated(req, res, served, analysis.now());
  });
  router.get('/api/v1/recommendations/export', (req, res) => {
    const query = parseQuery(exportQuery, req.query);
    const options: ExportOptions = { flavor: query.flavor ?? 'k8s', staged: false };
    const analysis = analysisOf(deps);
    const { recommendation, proof } = analysis.recommendation(query.namespace);
    const base = `netpol-advisor-${query.namespace ?? 'all'}`;
    const format = query.format ?? 'yaml';
    if (format === 'json') {
      res.attachment(`${base}.json`).type('application/json').send(JSON.stringify(exportJson(recommendation, options, proof), null, 2));
    } else if (format === 'tar') {
      const files = exportFiles(recommendation, options, proof);
      res.attachment(`${base}.tar`).type('application/x-tar').send(tarArchive(base, files, analysis.now(), new Set(['verify.sh'])));
    } else {
      res.attachment(`${base}.yaml`).type('application/yaml').send(yamlStream(recommendation, options));
    }
  });
  return router;
}
