// `netpol-advisor staged add`: stage the given manifests (one flavour) or the namespace's current
// recommendation in a flavour, with the API's checks (routes/staged.ts): the same validator, the
// same refusal of a flavour the cluster (--cluster) or another namespace's active set rules out.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../recommend/recommend.js';
import { givenPolicies } from '../staged/given-policies.js';
import { recommendedObjects } from '../staged/recommended-objects.js';
import { STAGED_FLAVORS, isStagedFlavor, type StagedFlavor, type StagedSet } from '../staged/staged-set.js';
import { stagingConflict } from '../staged/staged-snapshot.js';
import type { StagedStore } from '../store/staged-store.js';
import { UsageError } from './args.js';
import { loadSnapshotOption, openExistingStore } from './recommend.js';

function readPolicyFiles(paths: readonly string[]): unknown[] {
  const objects: unknown[] = [];
  for (const file of paths) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--policies: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
    for (const [i, doc] of parseAllDocuments(text).entries()) {
      if (doc.errors.length > 0)
        throw new UsageError(
          `${file}: document ${i + 1}: not valid YAML: ${(doc.errors[0]?.message ?? '').split('\n')[0] ?? ''}`,
        );
      const value: unknown = doc.toJS({ maxAliasCount: 100 });
      if (value !== null && value !== undefined) objects.push(value);
    }
  }
  return objects;
}

export interface AddOptions {
  readonly db: string;
  readonly namespace: string | undefined;
  readonly flavor: string | undefined;
  readonly policies: readonly string[] | undefined;
  readonly cluster: readonly string[] | undefined;
  readonly by: string;
  readonly nowMs: number;
}

export async function addStagedSet(store: StagedStore, options: AddOptions): Promise<StagedSet> {
  const { namespace, flavor: asked } = options;
  if (namespace === undefined || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    throw new UsageError('--namespace: a namespace name (DNS-1123 label) is required');
  if (asked !== undefined && !isStagedFlavor(asked))
    throw new UsageError(
      `--flavor: expected one of ${STAGED_FLAVORS.join(', ')}, got "${asked.slice(0, 40)}"`,
    );
  const snapshot = await loadSnapshotOption(options.cluster);
  let flavor: StagedFlavor = asked ?? 'k8s';
  let checked;
  let origin: 'given' | 'recommendation' = 'given';
  if (options.policies !== undefined && options.policies.length > 0) {
    checked = givenPolicies(readPolicyFiles(options.policies), namespace, asked);
    if (!checked.ok) throw new UsageError(checked.problem);
  } else {
    const edges = await openExistingStore(options.db);
    try {
      const recommendation = recommendPolicies(edges.iterateEdges({ namespace }), snapshot, {
        ...DEFAULT_RECOMMEND_OPTIONS,
        namespace,
      });
      const objects = recommendedObjects(recommendation, namespace, flavor);
      if (objects.ok === 'empty')
        throw new UsageError(
          `--namespace: no recommendation for ${namespace} (no forwarded traffic observed there): nothing to stage`,
        );
      if (!objects.ok)
        throw new Error(`the ${flavor} recommendation for ${namespace} cannot be staged: ${objects.problem}`);
      checked = objects;
    } finally {
      edges.close();
    }
    origin = 'recommendation';
  }
  flavor = checked.flavor;
  const conflict = stagingConflict(flavor, namespace, snapshot, store.activeSets());
  if (conflict !== undefined) throw new UsageError(conflict);
  return store.stage({
    namespace,
    flavor,
    origin,
    policies: checked.policies,
    by: options.by,
    nowMs: options.nowMs,
  });
}
