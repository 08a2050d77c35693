// Calico's named non-pod endpoints, shared by the flow-log parser and the Goldmane adapter.
//
// Calico names what it cannot address: a NetworkSet (namespaced) or GlobalNetworkSet by its name,
// a host endpoint by its host name, and any other address as the network `pub` (public) or `pvt`
// (RFC 1918). These are different peers for policy: a NetworkSet is selectable by its labels (and
// stands for its CIDRs), `pub` and `pvt` are not. So the name travels on the endpoint as an
// entity (`Endpoint.workload` with one of the kinds below) and edge keys keep them apart, where
// an address-only model would collapse every one of them into a single `world` peer.
import type { Endpoint, Workload } from './flow.js';

export type CalicoEntityKind = 'NetworkSet' | 'GlobalNetworkSet' | 'Network' | 'HostEndpoint';
export const CALICO_ENTITY_KINDS: readonly CalicoEntityKind[] = [
  'NetworkSet',
  'GlobalNetworkSet',
  'Network',
  'HostEndpoint',
];

export function isNetworkSetKind(kind: string | undefined): kind is 'NetworkSet' | 'GlobalNetworkSet' {
  return kind === 'NetworkSet' || kind === 'GlobalNetworkSet';
}

/** `pub` / `pvt`: the only names Calico gives a network that no NetworkSet covers. */
export function isNetworkName(name: string): name is 'pub' | 'pvt' {
  return name === 'pub' || name === 'pvt';
}

interface EntityFields {
  readonly ip?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly names?: readonly string[];
}

function entity(
  kind: Endpoint['kind'],
  workload: Workload,
  namespace: string | undefined,
  fields: EntityFields,
): Endpoint {
  return {
    kind,
    ...(fields.ip === undefined ? {} : { ip: fields.ip }),
    ...(namespace === undefined ? {} : { namespace }),
    workload,
    labels: fields.labels ?? {},
    names: fields.names ?? [],
  };
}

/** A NetworkSet (with a namespace) or GlobalNetworkSet (without), with its own labels. */
export function networkSetEndpoint(
  namespace: string | undefined,
  name: string,
  fields: EntityFields = {},
): Endpoint {
  return entity(
    'world',
    { kind: namespace === undefined ? 'GlobalNetworkSet' : 'NetworkSet', name },
    namespace,
    fields,
  );
}

/** An address outside every NetworkSet: Calico's `pub` or `pvt` network. */
export function networkEndpoint(name: 'pub' | 'pvt', fields: EntityFields = {}): Endpoint {
  return entity('world', { kind: 'Network', name }, undefined, { ...fields, labels: {} });
}

/** A host endpoint, named by its host. */
export function hostEndpointOf(host: string, fields: EntityFields = {}): Endpoint {
  return entity('host', { kind: 'HostEndpoint', name: host }, undefined, fields);
}
