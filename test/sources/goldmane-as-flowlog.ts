// The same Felix reports as Calico flow-log lines (formats.md §3), the way upstream converts a
// Goldmane flow back into a flow log (felix/collector/goldmane ConvertGoldmaneToFlowlog): names
// and namespaces carry over (`-` where none), pods are only known by their aggregated name, the
// endpoint types become wep/hep/ns/net, and each policy hit becomes
// `<index>|<tier>|<kind>:[<ns>/]<name>|<action>|<rule index>` with an end-of-tier hit written
// as its trigger's name with rule index -1 (goldmane/proto/methods.go PolicyHit.ToString).
import type { FlowResultMessage, PolicyHitSpec } from '../fakes/fake-goldmane-aggregator.js';

const TYPE: Readonly<Record<string, string>> = {
  WorkloadEndpoint: 'wep',
  HostEndpoint: 'hep',
  NetworkSet: 'ns',
  Network: 'net',
};
const SHORT_KIND: Readonly<Record<string, string>> = {
  CalicoNetworkPolicy: 'np',
  GlobalNetworkPolicy: 'gnp',
  NetworkPolicy: 'knp',
  StagedNetworkPolicy: 'snp',
  StagedGlobalNetworkPolicy: 'sgnp',
  StagedKubernetesNetworkPolicy: 'sknp',
  ClusterNetworkPolicy: 'kcnp',
  Profile: 'pro',
};

function hitString(h: PolicyHitSpec): string {
  const named = h.kind === 'EndOfTier' ? h.trigger : h;
  if (named === undefined) throw new Error('end-of-tier hit without trigger');
  const kind = SHORT_KIND[named.kind];
  if (kind === undefined) throw new Error(`no short kind for ${named.kind}`);
  const name = `${kind}:${named.namespace === undefined ? '' : `${named.namespace}/`}${named.name ?? ''}`;
  const tier = h.kind === 'Profile' ? '__PROFILE__' : h.tier;
  return `${h.policy_index}|${tier}|${name}|${h.action.toLowerCase()}|${h.rule_index}`;
}

export function flowLogLineOf(r: FlowResultMessage): string {
  const f = r.flow;
  const k = f['Key'] as Record<string, unknown>;
  const policies = k['policies'] as { enforced_policies: PolicyHitSpec[]; pending_policies: PolicyHitSpec[] };
  const service = (v: unknown): unknown => (v === '' || v === 0 ? '-' : v);
  return JSON.stringify({
    start_time: f['start_time'],
    end_time: f['end_time'],
    source_ip: null,
    source_name: '-',
    source_name_aggr: k['source_name'],
    source_namespace: k['source_namespace'],
    source_port: null,
    source_type: TYPE[String(k['source_type'])],
    source_labels: { labels: f['source_labels'] },
    dest_ip: null,
    dest_name: '-',
    dest_name_aggr: k['dest_name'],
    dest_namespace: k['dest_namespace'],
    dest_port: k['dest_port'],
    dest_type: TYPE[String(k['dest_type'])],
    dest_labels: { labels: f['dest_labels'] },
    dest_service_namespace: service(k['dest_service_namespace']),
    dest_service_name: service(k['dest_service_name']),
    dest_service_port: service(k['dest_service_port_name']),
    dest_service_port_num: k['dest_service_port'] === 0 ? null : k['dest_service_port'],
    dest_domains: null,
    proto: k['proto'],
    action: String(k['action']).toLowerCase(),
    reporter: String(k['reporter']).toLowerCase(),
    policies: {
      enforced_policies: policies.enforced_policies.map(hitString),
      pending_policies: policies.pending_policies.map(hitString),
    },
    bytes_in: f['bytes_in'],
    bytes_out: f['bytes_out'],
    packets_in: f['packets_in'],
    packets_out: f['packets_out'],
    num_flows: f['num_connections_started'],
    num_flows_started: f['num_connections_started'],
    num_flows_completed: f['num_connections_completed'],
  });
}
