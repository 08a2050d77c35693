// What `eval --from/--to` (and each query of --queries) names, resolved against the snapshot: an
// IP address, a pod (`NAMESPACE/POD`), or a workload (`NAMESPACE/NAME` when no pod has that name,
// or `NAMESPACE/KIND/NAME`), which stands for all of its pods. A name two workloads share is an
// error listing both; an unknown name suggests the closest ones. A workload's pods are all
// evaluated, since a rollout can leave them with different labels, and any disagreement is
// reported rather than hidden behind one pod's answer.
import { isIpAddress } from '../net/ip.js';
import type { ConnectionQuery, Decision, PolicyEngine, QueryEndpoint } from '../policy/engine.js';
import type { ClusterSnapshot, PodInfo } from '../policy/model.js';
import { UsageError } from './args.js';

export interface Target {
  /** As the user should read it back: the IP, `ns/pod`, or `ns/workload`. */
  readonly label: string;
  readonly endpoints: readonly QueryEndpoint[];
  /** Set when a workload was named. */
  readonly workload?: { readonly kind: string; readonly name: string; readonly pods: number };
}

/** Kind spellings kubectl accepts (singular, plural, short), lower-cased, to the owner kind. */
const KIND_ALIASES: Readonly<Record<string, string>> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  ds: 'DaemonSet',
  job: 'Job',
  jobs: 'Job',
  cronjob: 'CronJob',
  cronjobs: 'CronJob',
  cj: 'CronJob',
  replicaset: 'ReplicaSet',
  replicasets: 'ReplicaSet',
  rs: 'ReplicaSet',
  pod: 'Pod',
  pods: 'Pod',
  po: 'Pod',
};

/** Most pod pairs one question evaluates (a DaemonSet to a DaemonSet on a big cluster). */
export const MAX_PAIRS = 10_000;

const podEndpoint = (p: PodInfo): QueryEndpoint => ({ kind: 'pod', namespace: p.namespace, name: p.name });

function suggestions(snapshot: ClusterSnapshot, namespace: string, name: string): string[] {
  const names = new Set<string>();
  for (const p of snapshot.pods) {
    if (p.namespace !== namespace) continue;
    names.add(p.workload.name);
    names.add(p.name);
  }
  const lower = name.toLowerCase();
  return [...names]
    .filter((n) => n.toLowerCase().includes(lower) || lower.includes(n.toLowerCase()))
    .sort((a, b) => a.length - b.length || a.localeCompare(b))
    .slice(0, 5)
    .map((n) => `${namespace}/${n}`);
}

function workloadTarget(namespace: string, kind: string, name: string, pods: readonly PodInfo[]): Target {
  const sorted = [...pods].sort((a, b) => a.name.localeCompare(b.name));
  return {
    label: `${namespace}/${name}`,
    endpoints: sorted.map(podEndpoint),
    workload: { kind, name, pods: sorted.length },
  };
}

export function resolveTarget(text: string, where: string, snapshot: ClusterSnapshot): Target {
  return resolveIn(text, where, snapshot, (namespace) =>
    snapshot.pods.filter((p) => p.namespace === namespace),
  );
}

/**
 * Resolves many texts against one snapshot (`eval --queries`): pods grouped by namespace once,
 * and each distinct text resolved once (a failure is not kept: it ends the command).
 */
export class TargetResolver {
  private readonly podsByNamespace = new Map<string, PodInfo[]>();
  private readonly resolved = new Map<string, Target>();

  constructor(private readonly snapshot: ClusterSnapshot) {
    for (const pod of snapshot.pods) {
      const list = this.podsByNamespace.get(pod.namespace);
      if (list === undefined) this.podsByNamespace.set(pod.namespace, [pod]);
      else list.push(pod);
    }
  }

  /** `where`: names the query in an error (built only then). */
  resolve(text: string, where: () => string): Target {
    let target = this.resolved.get(text);
    if (target === undefined) {
      target = resolveIn(
        text,
        where(),
        this.snapshot,
        (namespace) => this.podsByNamespace.get(namespace) ?? [],
      );
      this.resolved.set(text, target);
    }
    return target;
  }
}

function resolveIn(
  text: string,
  where: string,
  snapshot: ClusterSnapshot,
  podsIn: (namespace: string) => readonly PodInfo[],
): Target {
  if (isIpAddress(text)) return { label: text, endpoints: [{ kind: 'ip', ip: text }] };
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new UsageError(
      `${where}: expected NAMESPACE/POD, NAMESPACE/WORKLOAD, NAMESPACE/KIND/NAME or an IP address, got ${JSON.stringify(text)}`,
    );
  }
  const namespace = parts[0] as string;
  const inNamespace = podsIn(namespace);
  if (parts.length === 3) {
    const kind = KIND_ALIASES[(parts[1] as string).toLowerCase()];
    const name = parts[2] as string;
    if (kind === undefined)
      throw new UsageError(
        `${where}: unknown kind ${JSON.stringify(parts[1])} (expected deployment, statefulset, daemonset, job, cronjob or pod)`,
      );
    if (kind === 'Pod') {
      const pod = inNamespace.find((p) => p.name === name);
      if (pod === undefined)
        throw new UsageError(`${where}: no pod ${namespace}/${name} in the cluster snapshot`);
      return { label: `${namespace}/${name}`, endpoints: [podEndpoint(pod)] };
    }
    const pods = inNamespace.filter((p) => p.workload.kind === kind && p.workload.name === name);
    if (pods.length === 0)
      throw new UsageError(`${where}: no ${kind} ${namespace}/${name} with pods in the cluster snapshot`);
    return workloadTarget(namespace, kind, name, pods);
  }
  const name = parts[1] as string;
  const pod = inNamespace.find((p) => p.name === name);
  if (pod !== undefined) return { label: text, endpoints: [podEndpoint(pod)] };
  const byKind = new Map<string, PodInfo[]>();
  for (const p of inNamespace) {
    if (p.workload.name !== name) continue;
    const list = byKind.get(p.workload.kind);
    if (list === undefined) byKind.set(p.workload.kind, [p]);
    else list.push(p);
  }
  if (byKind.size === 1) {
    const [kind, pods] = [...byKind][0] as [string, PodInfo[]];
    return workloadTarget(namespace, kind, name, pods);
  }
  if (byKind.size > 1) {
    const candidates = [...byKind]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([kind, pods]) =>
          `${namespace}/${kind.toLowerCase()}/${name} (${pods.length} pod${pods.length === 1 ? '' : 's'})`,
      );
    throw new UsageError(
      `${where}: ${text} is ambiguous: it names ${candidates.join(', ')}; give one of these`,
    );
  }
  if (inNamespace.length === 0 && !snapshot.namespaces.some((n) => n.name === namespace)) {
    throw new UsageError(`${where}: no namespace ${namespace} in the cluster snapshot`);
  }
  const close = suggestions(snapshot, namespace, name);
  throw new UsageError(
    `${where}: no pod or workload ${text} in the cluster snapshot${close.length > 0 ? ` (did you mean ${close.join(', ')}?)` : ''}`,
  );
}

export interface TargetDecision {
  /** The decision shown: the first denied pod pair's when any is denied, else the first pair's. */
  readonly query: ConnectionQuery;
  readonly decision: Decision;
  /** Pod pairs evaluated and how many of them were allowed (1/1 or 1/0 for two single pods). */
  readonly pairs: number;
  readonly allowedPairs: number;
}

export function decideTargets(
  engine: PolicyEngine,
  from: Target,
  to: Target,
  port: number,
  protocol: ConnectionQuery['protocol'],
): TargetDecision {
  const [onlyFrom] = from.endpoints;
  const [onlyTo] = to.endpoints;
  if (
    from.endpoints.length === 1 &&
    to.endpoints.length === 1 &&
    onlyFrom !== undefined &&
    onlyTo !== undefined
  ) {
    // The common case of a batch: one pair, no bookkeeping.
    const query: ConnectionQuery = { from: onlyFrom, to: onlyTo, port, protocol };
    const decision = engine.evaluate(query);
    return { query, decision, pairs: 1, allowedPairs: decision.verdict === 'allow' ? 1 : 0 };
  }
  const pairs = from.endpoints.length * to.endpoints.length;
  if (pairs > MAX_PAIRS)
    throw new UsageError(
      `${from.label} → ${to.label}: ${pairs} pod pairs, more than ${MAX_PAIRS}; name single pods`,
    );
  let shown: { query: ConnectionQuery; decision: Decision } | undefined;
  let allowed = 0;
  for (const f of from.endpoints) {
    for (const t of to.endpoints) {
      const query: ConnectionQuery = { from: f, to: t, port, protocol };
      const decision = engine.evaluate(query);
      if (decision.verdict === 'allow') allowed++;
      if (shown === undefined || (decision.verdict === 'deny' && shown.decision.verdict === 'allow'))
        shown = { query, decision };
    }
  }
  if (shown === undefined) throw new UsageError(`${from.label} → ${to.label}: no pods to evaluate`);
  return { ...shown, pairs, allowedPairs: allowed };
}

/** A sentence for human output when a workload was named: how many pod pairs agree. */
export function pairsNote(from: Target, to: Target, result: TargetDecision): string | undefined {
  if (from.workload === undefined && to.workload === undefined) return undefined;
  const side = (t: Target): string =>
    t.workload !== undefined
      ? `${t.label} (${t.workload.kind}, ${t.workload.pods} pod${t.workload.pods === 1 ? '' : 's'})`
      : t.label;
  const head = `${side(from)} -> ${side(to)}: ${result.pairs} pod pair${result.pairs === 1 ? '' : 's'} evaluated`;
  if (result.allowedPairs === 0 || result.allowedPairs === result.pairs)
    return `${head}, all ${result.allowedPairs === 0 ? 'denied' : 'allowed'}`;
  return `${head}: PODS DISAGREE, ${result.allowedPairs} allowed and ${result.pairs - result.allowedPairs} denied (shown: a denied pair; their labels differ)`;
}
