// `netpol-advisor simulate`: replays every stored forwarded flow against the snapshot's policies
// plus the given ones (a given policy replaces an existing one of the same namespace/name, as
// kubectl apply would) and lists the observed flows that would be dropped. Thin adapter over
// src/recommend/replay.ts.
import { mergeCni } from '../policy/collect-cni-objects.js';
import { effectivePolicies } from '../policy/effective-policies.js';
import { compilePolicies } from '../policy/engine.js';
import { formatIgnored, reportIgnored } from '../policy/ignored-selection.js';
import type { ClusterSnapshot, NetworkPolicy } from '../policy/model.js';
import { proposedPolicies } from '../recommend/proof.js';
import type { ObservedEdge } from '../recommend/proposal.js';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../recommend/recommend.js';
import { EndpointResolver, replayEdges, replayedPods } from '../recommend/replay.js';
import { defaultDbPath, parseCommandArgs, UsageError } from './args.js';
import type { Command } from './main.js';
import { loadSnapshotOption, openExistingStore } from './recommend.js';
import { loadClusterSnapshot } from '../k8s/snapshot-file.js';
import { peerText } from '../flows/peer-text.js';

const HELP = `usage: netpol-advisor simulate [--db FILE] --cluster SNAPSHOT [--policies PATH…] [--recommended]
                            [--promote-staged] [--allow-unknown] [--json]

Replays every observed forwarded flow against the cluster's existing policies plus the given ones
and lists the flows that would be dropped (what would break). Policies are evaluated with the
semantics of the CNI they belong to: networking.k8s.io NetworkPolicies, Cilium (cilium.io/v2
CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) and Calico (projectcalico.org/v3
NetworkPolicy, GlobalNetworkPolicy, Tier; Staged* objects are not enforced unless
--promote-staged). Every policy object that could not be evaluated is listed (IGNORED …).

Exit status: 0 when the replay ran, 1 when an ignored object selects a pod on a replayed path or a
replayed path meets a policy the snapshot cannot decide (NOT EVALUATED: a Cilium host policy and a
host address of no known node; the verdicts may be wrong; --allow-unknown accepts that), 2 for bad
input.

options:
  --db FILE          the database (default $NETPOL_ADVISOR_DB or ./netpol-advisor.db)
  --cluster PATH     the cluster snapshot (required; repeatable)
  --policies PATH    policy manifests of any kind above (file or directory; repeatable); an object
                     replaces the existing one with the same kind, namespace and name
  --recommended      also add the policies \`recommend\` would propose from the same flows
  --promote-staged   treat Calico StagedNetworkPolicy, StagedGlobalNetworkPolicy and
                     StagedKubernetesNetworkPolicy as enforced ("what if I promote them")
  --allow-unknown    exit 0 even when ignored objects select replayed pods or paths are not
                     evaluated
  --json             {replayed, allowed, dropped: [{source, destination, port, protocol, count,
                     lastSeen, egress, ingress}], skipped: [{edgeId, reason, notEvaluated?}],
                     notEvaluated, ignored: [{kind, namespace, name, reason,
                     selectsReplayedPods}], stagedNotEnforced}
  -h, --help         this help
`;

function end(peer: ObservedEdge['source'], names: readonly string[]): Record<string, unknown> {
  if (peer.kind === 'pod')
    return {
      namespace: peer.namespace ?? null,
      workload: peer.workload ?? null,
      kind: peer.workloadKind ?? null,
    };
  return { ip: peer.ip ?? null, kind: peer.kind, names };
}

function text(peer: ObservedEdge['source']): string {
  return peerText(peer).replace(/\p{Cc}/gu, '?');
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    db: { type: 'string' },
    cluster: { type: 'string', multiple: true },
    policies: { type: 'string', multiple: true },
    recommended: { type: 'boolean' },
    'promote-staged': { type: 'boolean' },
    'allow-unknown': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.cluster === undefined || values.cluster.length === 0)
    throw new UsageError('--cluster SNAPSHOT is required');
  const snapshot = await loadSnapshotOption(values.cluster);
  if (snapshot === undefined) throw new UsageError('--cluster SNAPSHOT is required');
  let given: NetworkPolicy[] = [];
  let givenCni: ClusterSnapshot['cni'];
  if (values.policies !== undefined && values.policies.length > 0) {
    const loaded = await loadClusterSnapshot(values.policies);
    if (!loaded.ok) throw new UsageError(`--policies: ${loaded.problems[0] ?? 'invalid policies'}`);
    given = [...loaded.snapshot.policies];
    givenCni = loaded.snapshot.cni;
    const cniCount =
      (givenCni?.cilium.length ?? 0) +
      (givenCni?.calico.length ?? 0) +
      (givenCni?.stagedKubernetes.length ?? 0) +
      (givenCni?.ignored.length ?? 0) +
      (givenCni?.tiers.length ?? 0);
    if (given.length === 0 && cniCount === 0)
      throw new UsageError(`--policies: no policy object found in ${values.policies.join(', ')}`);
  }
  const promoteStaged = values['promote-staged'] === true;
  const store = await openExistingStore(values.db ?? defaultDbPath());
  try {
    if (values.recommended === true)
      given.push(
        ...proposedPolicies(recommendPolicies(store.iterateEdges(), snapshot, DEFAULT_RECOMMEND_OPTIONS)),
      );
    const replaced = new Set(given.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    const policies = [
      ...snapshot.policies.filter((p) => !replaced.has(`${p.metadata.namespace}/${p.metadata.name}`)),
      ...given,
    ];
    const cni = mergeCni(snapshot.cni, givenCni);
    const combined: ClusterSnapshot = { ...snapshot, policies, ...(cni !== undefined ? { cni } : {}) };
    const engine = compilePolicies(combined, { promoteStaged });
    const resolver = new EndpointResolver(snapshot);
    const result = replayEdges(store.iterateEdges(), engine, resolver);
    const ignored = reportIgnored(engine.ignored, replayedPods(store.iterateEdges(), snapshot, resolver));
    const stagedNotEnforced = effectivePolicies(combined, promoteStaged).stagedNotEnforced;
    const unknownOnPath = ignored.filter((o) => o.selectsReplayedPods > 0);
    const unsure = unknownOnPath.length > 0 || result.notEvaluated > 0;
    const status = unsure && values['allow-unknown'] !== true ? 1 : 0;
    const policyCount = policies.length + (cni?.cilium.length ?? 0) + (cni?.calico.length ?? 0);
    if (status !== 0 && unknownOnPath.length > 0) {
      process.stderr.write(
        `netpol-advisor simulate: ${unknownOnPath.length} policy object(s) that could not be evaluated select pods on replayed paths; the verdicts for those pods may be wrong (--allow-unknown to accept)\n`,
      );
    }
    if (status !== 0 && result.notEvaluated > 0) {
      process.stderr.write(
        `netpol-advisor simulate: ${result.notEvaluated} observed path(s) not evaluated: a policy applies to them that the snapshot cannot decide (NOT EVALUATED lines; --allow-unknown to accept)\n`,
      );
    }
    if (values.json === true) {
      process.stdout.write(
        `${JSON.stringify(
          {
            replayed: result.replayed,
            allowed: result.allowed,
            dropped: result.dropped.map(({ edge, decision }) => ({
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
            skipped: result.skipped,
            notEvaluated: result.notEvaluated,
            ignored,
            stagedNotEnforced,
          },
          null,
          2,
        )}\n`,
      );
      return status;
    }
    const lines = [
      `replayed ${result.replayed} observed flows against ${policyCount} policies: ${result.allowed} allowed, ${result.dropped.length} would be dropped${result.skipped.length > 0 ? `, ${result.skipped.length} not replayable` : ''}${result.notEvaluated > 0 ? ` (${result.notEvaluated} of them not evaluated)` : ''}${ignored.length > 0 ? `, ${ignored.length} policy object(s) ignored` : ''}`,
    ];
    if (stagedNotEnforced > 0)
      lines.push(
        `${stagedNotEnforced} staged Calico policy object(s) not enforced (--promote-staged to replay them as promoted)`,
      );
    for (const object of ignored) lines.push(formatIgnored(object));
    for (const skipped of result.skipped)
      if (skipped.notEvaluated === true)
        lines.push(`NOT EVALUATED edge ${skipped.edgeId}: ${skipped.reason.replace(/\p{Cc}/gu, '?')}`);
    for (const { edge, decision } of result.dropped) {
      const side = decision.egress.allowed ? decision.ingress : decision.egress;
      lines.push(
        `DROP ${text(edge.source)} -> ${text(edge.destination)} ${edge.protocol}/${edge.port ?? '-'} (${edge.count} connections): ${side.reason.replace(/\p{Cc}/gu, '?')}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return status;
  } finally {
    store.close();
  }
}

export const simulateCommand: Command = {
  summary: 'replay every observed flow against existing (+ given) policies: what would be dropped',
  run,
};
