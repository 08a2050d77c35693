// `netpol-advisor simulate`: replays every stored forwarded flow against the snapshot's policies
// plus the given ones (a given policy replaces an existing one of the same namespace/name, as
// kubectl apply would) and lists the observed flows that would be dropped. Thin adapter over
// src/recommend/replay.ts.
import { compilePolicies } from '../policy/engine.js';
import type { NetworkPolicy } from '../policy/model.js';
import { proposedPolicies } from '../recommend/proof.js';
import type { ObservedEdge } from '../recommend/proposal.js';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../recommend/recommend.js';
import { EndpointResolver, replayEdges } from '../recommend/replay.js';
import { defaultDbPath, parseCommandArgs, UsageError } from './args.js';
import type { Command } from './main.js';
import { loadSnapshotOption, openExistingStore } from './recommend.js';
import { loadClusterSnapshot } from '../k8s/snapshot-file.js';

const HELP = `usage: netpol-advisor simulate [--db FILE] --cluster SNAPSHOT [--policies PATH…] [--recommended] [--json]

Replays every observed forwarded flow against the cluster's existing NetworkPolicies plus the given
ones and lists the flows that would be dropped (what would break). Exit status 0 when the replay
ran (whatever it found), 2 for bad input.

options:
  --db FILE          the database (default $NETPOL_ADVISOR_DB or ./netpol-advisor.db)
  --cluster PATH     the cluster snapshot (required; repeatable)
  --policies PATH    NetworkPolicy manifests (file or directory; repeatable); a policy replaces the
                     existing one with the same namespace/name
  --recommended      also add the policies \`recommend\` would propose from the same flows
  --json             {replayed, allowed, dropped: [{source, destination, port, protocol, count,
                     lastSeen, egress, ingress}], skipped}
  -h, --help         this help
`;

function end(peer: ObservedEdge['source'], names: readonly string[]): Record<string, unknown> {
  if (peer.kind === 'pod') return { namespace: peer.namespace ?? null, workload: peer.workload ?? null, kind: peer.workloadKind ?? null };
  return { ip: peer.ip ?? null, kind: peer.kind, names };
}

function text(peer: ObservedEdge['source']): string {
  return (peer.kind === 'pod' ? `${peer.namespace ?? '?'}/${peer.workload ?? '?'}` : `${peer.kind}:${peer.ip ?? '?'}`).replace(/\p{Cc}/gu, '?');
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    db: { type: 'string' },
    cluster: { type: 'string', multiple: true },
    policies: { type: 'string', multiple: true },
    recommended: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.cluster === undefined || values.cluster.length === 0) throw new UsageError('--cluster SNAPSHOT is required');
  const snapshot = await loadSnapshotOption(values.cluster);
  if (snapshot === undefined) throw new UsageError('--cluster SNAPSHOT is required');
  let given: NetworkPolicy[] = [];
  if (values.policies !== undefined && values.policies.length > 0) {
    const loaded = await loadClusterSnapshot(values.policies);
    if (!loaded.ok) throw new UsageError(`--policies: ${loaded.problems[0] ?? 'invalid policies'}`);
    given = [...loaded.snapshot.policies];
    if (given.length === 0) throw new UsageError(`--policies: no NetworkPolicy found in ${values.policies.join(', ')}`);
  }
  const store = openExistingStore(values.db ?? defaultDbPath());
  try {
    if (values.recommended === true) given.push(...proposedPolicies(recommendPolicies(store.iterateEdges(), snapshot, DEFAULT_RECOMMEND_OPTIONS)));
    const replaced = new Set(given.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    const policies = [...snapshot.policies.filter((p) => !replaced.has(`${p.metadata.namespace}/${p.metadata.name}`)), ...given];
    const engine = compilePolicies({ ...snapshot, policies });
    const result = replayEdges(store.iterateEdges(), engine, new EndpointResolver(snapshot));
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify({
        replayed: result.replayed,
        allowed: result.allowed,
        dropped: result.dropped.map(({ edge, decision }) => ({
          source: end(edge.source, edge.sourceNames), destination: end(edge.destination, edge.destinationNames),
          port: edge.port, protocol: edge.protocol, count: edge.count,
          firstSeen: new Date(edge.firstSeenMs).toISOString(), lastSeen: new Date(edge.lastSeenMs).toISOString(),
          egress: decision.egress, ingress: decision.ingress,
        })),
        skipped: result.skipped,
      }, null, 2)}\n`);
      return 0;
    }
    const lines = [`replayed ${result.replayed} observed flows against ${policies.length} policies: ${result.allowed} allowed, ${result.dropped.length} would be dropped${result.skipped.length > 0 ? `, ${result.skipped.length} not replayable` : ''}`];
    for (const { edge, decision } of result.dropped) {
      const side = decision.egress.allowed ? decision.ingress : decision.egress;
      lines.push(`DROP ${text(edge.source)} -> ${text(edge.destination)} ${edge.protocol}/${edge.port ?? '-'} (${edge.count} connections): ${side.reason.replace(/\p{Cc}/gu, '?')}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    store.close();
  }
}

export const simulateCommand: Command = {
  summary: 'replay every observed flow against existing (+ given) policies: what would be dropped',
  run,
};
