// scanClusterExtras lists the CNI-specific policy kinds (the doctor names them as possible causes
// when the engine left them out), not the network-policy-api kinds the engine evaluates.
import { describe, expect, it } from 'vitest';
import { scanClusterExtras } from '../../src/doctor/raw-objects.js';

const object = (apiVersion: string, kind: string, name: string, namespace?: string) => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace !== undefined ? { namespace } : {}) },
  spec: {},
});

describe('scanClusterExtras', () => {
  it('lists Cilium and Calico policies, not AdminNetworkPolicy, BANP or ClusterNetworkPolicy', () => {
    const extras = scanClusterExtras([
      {
        kind: 'List',
        items: [
          object('policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', 'anp'),
          object('policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy', 'default'),
          object('policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy', 'cnp'),
          object('cilium.io/v2', 'CiliumNetworkPolicy', 'cnp', 'shop'),
          object('projectcalico.org/v3', 'GlobalNetworkPolicy', 'gnp'),
        ],
      },
    ]);
    expect(extras.cniPolicies.map((c) => `${c.kind} ${c.name}`)).toEqual([
      'CiliumNetworkPolicy cnp',
      'GlobalNetworkPolicy gnp',
    ]);
  });
});
