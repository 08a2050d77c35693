// What the API reports per cluster policy: evaluation order, pods and namespaces its subject covers.
import { describe, expect, it } from 'vitest';
import { clusterPolicyCoverage } from '../../src/policy/cluster/cluster-coverage.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import { conformanceManifest, housesObjects } from './houses.js';

describe('clusterPolicyCoverage', () => {
  it('lists the Admin tier by priority, then the Baseline tier, with what each subject selects', () => {
    const snapshot = parseClusterObjects([
      ...housesObjects(),
      ...conformanceManifest('admin_tier-standard-priority-field.yaml'),
      {
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        kind: 'AdminNetworkPolicy',
        metadata: { name: 'everyone' },
        spec: { priority: 1, subject: { namespaces: {} }, egress: [] },
      },
    ]).snapshot;
    expect(
      clusterPolicyCoverage(snapshot).map((c) => [
        c.order,
        c.kind,
        c.name,
        c.tier,
        c.priority,
        c.podsSelected,
        c.namespacesCovered,
      ]),
    ).toEqual([
      [1, 'AdminNetworkPolicy', 'everyone', 'Admin', 1, 8, 4],
      [2, 'ClusterNetworkPolicy', 'priority-50-example', 'Admin', 50, 2, 1],
      [3, 'ClusterNetworkPolicy', 'old-priority-60-new-priority-40-example', 'Admin', 60, 2, 1],
      [4, 'ClusterNetworkPolicy', 'default', 'Baseline', 10, 2, 1],
    ]);
    expect(clusterPolicyCoverage(snapshot, 2)[0]?.namespaces).toEqual([
      'network-policy-conformance-gryffindor',
      'network-policy-conformance-hufflepuff',
    ]);
  });
});
