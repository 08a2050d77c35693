// Live evaluation of shadow mode: the edge deltas of each committed batch judged against the
// cluster's existing policies and against those plus every active staged set. A forwarded path
// that today's policies allow and the staged world refuses is a would-drop, attributed to the set
// of the namespace whose side refuses (egress: the source's, ingress: the destination's). Paths
// already dropped today (verdict dropped/error) are never would-drops; `audit` is not judged
// either (what Cilium's audit mode forwarded is not evidence either way).
//
// Incremental: one evaluator per (snapshot, active sets); each distinct path is decided once and
// remembered (bounded), so a batch costs two map lookups per delta plus the store's few writes.
// Without a snapshot, workloads are judged with the labels observed on the path the first time
// it is seen. Pure: time comes in from the caller; nothing here touches the world.
import type { EdgeDelta, EdgePeer } from '../flows/edge.js';
import {
  compilePolicies,
  type Decision,
  type DirectionDecision,
  type PolicyEngine,
  type QueryEndpoint,
} from '../policy/engine.js';
import { EMPTY_SNAPSHOT, type ClusterSnapshot, type PolicyProtocol } from '../policy/model.js';
import { EndpointResolver } from '../recommend/replay.js';
import { stagedSnapshot } from './staged-snapshot.js';
import { policyId, type StagedObject, type WouldDropDecider } from './staged-set.js';

/** What the evaluator needs of an active set. */
export interface ShadowTarget {
  readonly id: number;
  readonly namespace: string;
  readonly policies: readonly StagedObject[];
}

/** One would-drop path of one batch (counts are the batch's). */
export interface WouldDropObservation {
  readonly setId: number;
  readonly pathKey: string;
  readonly source: EdgePeer;
  readonly destination: EdgePeer;
  readonly protocol: string;
  readonly port: number | null;
  readonly connections: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly sourcePods: readonly string[];
  readonly destinationPods: readonly string[];
  readonly decider: WouldDropDecider;
}

/** What one batch taught about one set. */
export interface SetBatchResult {
  readonly setId: number;
  /** Path key → connections of this batch, for every path judged against the set. */
  readonly paths: Map<string, number>;
  connections: number;
  unevaluated: number;
  readonly wouldDrops: WouldDropObservation[];
}

type Outcome =
  | { readonly kind: 'unevaluable' }
  | { readonly kind: 'clean' }
  | { readonly kind: 'would-drop'; readonly deciders: ReadonlyMap<number, WouldDropDecider> };

const UNEVALUABLE: Outcome = Object.freeze({ kind: 'unevaluable' });
const CLEAN: Outcome = Object.freeze({ kind: 'clean' });
export const DEFAULT_MAX_REMEMBERED_PATHS = 100_000;
const FORWARDED_SUFFIX = '|forwarded';

function policyProtocol(protocol: string): PolicyProtocol | undefined {
  return protocol === 'TCP' || protocol === 'UDP' || protocol === 'SCTP' ? protocol : undefined;
}

/** The path of an edge key: the key without its verdict (source, destination, protocol, port). */
export function pathKeyOf(edgeKey: string): string {
  const bar = edgeKey.lastIndexOf('|');
  return bar < 0 ? edgeKey : edgeKey.slice(0, bar);
}

/** A staged object's name in a decision: a CiliumNetworkPolicy with several rules adds ` specs[i]`. */
function objectOf(engineId: string): string {
  const at = engineId.lastIndexOf(' specs[');
  return at < 0 ? engineId : engineId.slice(0, at);
}

const RULE_INDEX = /\[(\d{1,9})\]$/;

/** Which staged objects (of `ids`) and rule decided a refused direction. */
export function deciderOf(
  direction: 'egress' | 'ingress',
  side: DirectionDecision,
  ids: ReadonlySet<string>,
): WouldDropDecider {
  const by = side.decidedBy;
  // A staged object's own rule (a Cilium deny rule, a Calico Deny rule) decided.
  if (by !== undefined && by.rule !== 'default deny' && ids.has(objectOf(by.object))) {
    const index = RULE_INDEX.exec(by.rule)?.[1];
    return {
      direction,
      policies: [by.object],
      rule: index !== undefined ? Number(index) : null,
      ruleName: by.rule,
      reason: side.reason,
    };
  }
  // Isolation without an admitting rule decided (NetworkPolicy and Cilium default deny, the end of
  // a Calico tier): the staged objects that isolate this side.
  return {
    direction,
    policies: side.isolatedBy.filter((id) => ids.has(objectOf(id))),
    rule: null,
    ruleName: by?.rule ?? 'default deny',
    reason: side.reason,
  };
}

export class ShadowEvaluator {
  private readonly byNamespace = new Map<string, ShadowTarget>();
  private readonly stagedIds = new Map<number, ReadonlySet<string>>();
  private readonly today: PolicyEngine;
  private readonly staged: PolicyEngine;
  private readonly resolver: EndpointResolver;
  private readonly remembered = new Map<string, Outcome>();
  private readonly endpoints = new WeakMap<object, { key: string; endpoint: QueryEndpoint }>();
  private readonly maxRemembered: number;

  constructor(
    snapshot: ClusterSnapshot | undefined,
    targets: readonly ShadowTarget[],
    options: { readonly maxRememberedPaths?: number } = {},
  ) {
    const base = snapshot ?? EMPTY_SNAPSHOT;
    for (const target of targets) {
      this.byNamespace.set(target.namespace, target);
      this.stagedIds.set(target.id, new Set(target.policies.map(policyId)));
    }
    this.today = compilePolicies(base);
    this.staged = compilePolicies(
      stagedSnapshot(
        base,
        targets.flatMap((t) => t.policies),
      ),
    );
    this.resolver = new EndpointResolver(snapshot);
    this.maxRemembered = Math.max(1, options.maxRememberedPaths ?? DEFAULT_MAX_REMEMBERED_PATHS);
  }

  get isIdle(): boolean {
    return this.byNamespace.size === 0;
  }

  private targetOf(peer: EdgePeer): ShadowTarget | undefined {
    return peer.kind === 'pod' && peer.namespace !== undefined
      ? this.byNamespace.get(peer.namespace)
      : undefined;
  }

  /**
   * Judges one batch's deltas; only sets that saw traffic appear in the result. `isReply`: the
   * deltas that are replies read backwards (flows/reply-read-backwards.ts), not connections: the
   * recommender proposes no rule for them, so they are not judged (never a would-drop).
   */
  evaluateBatch(
    deltas: Iterable<EdgeDelta>,
    isReply?: (delta: EdgeDelta) => boolean,
  ): Map<number, SetBatchResult> {
    const results = new Map<number, SetBatchResult>();
    if (this.byNamespace.size === 0) return results;
    const resultOf = (id: number): SetBatchResult => {
      let result = results.get(id);
      if (result === undefined)
        results.set(
          id,
          (result = { setId: id, paths: new Map(), connections: 0, unevaluated: 0, wouldDrops: [] }),
        );
      return result;
    };
    for (const delta of deltas) {
      if (delta.verdict !== 'forwarded') continue;
      const sourceTarget = this.targetOf(delta.source);
      const destinationTarget = this.targetOf(delta.destination);
      if (sourceTarget === undefined && destinationTarget === undefined) continue;
      if (isReply?.(delta) === true) continue;
      const pathKey = delta.key.endsWith(FORWARDED_SUFFIX)
        ? delta.key.slice(0, -FORWARDED_SUFFIX.length)
        : pathKeyOf(delta.key);
      const outcome = this.outcomeOf(pathKey, delta);
      for (const target of sourceTarget === destinationTarget
        ? [sourceTarget]
        : [sourceTarget, destinationTarget]) {
        if (target === undefined) continue;
        const result = resultOf(target.id);
        if (outcome.kind === 'unevaluable') {
          result.unevaluated += delta.count;
          continue;
        }
        result.connections += delta.count;
        result.paths.set(pathKey, (result.paths.get(pathKey) ?? 0) + delta.count);
        const decider = outcome.kind === 'would-drop' ? outcome.deciders.get(target.id) : undefined;
        if (decider === undefined) continue;
        result.wouldDrops.push({
          setId: target.id,
          pathKey,
          source: delta.source,
          destination: delta.destination,
          protocol: delta.protocol,
          port: delta.port,
          connections: delta.count,
          firstSeenMs: delta.firstSeenMs,
          lastSeenMs: delta.lastSeenMs,
          sourcePods: [...delta.sourcePods],
          destinationPods: [...delta.destinationPods],
          decider,
        });
      }
    }
    return results;
  }

  private outcomeOf(pathKey: string, delta: EdgeDelta): Outcome {
    const known = this.remembered.get(pathKey);
    if (known !== undefined) return known;
    const outcome = this.decide(delta);
    // Bounded: path keys come from the cluster's traffic. Forgetting only costs a re-evaluation.
    if (this.remembered.size >= this.maxRemembered) this.remembered.clear();
    this.remembered.set(pathKey, outcome);
    return outcome;
  }

  /**
   * The query endpoint of a side, the same object for the same workload and labels object (the
   * parsers share one labels object per identity), so the engines resolve and select it once.
   */
  private endpointOf(peer: EdgePeer, labels: Readonly<Record<string, string>>): QueryEndpoint | string {
    if (peer.kind !== 'pod') return this.resolver.endpointOf(peer, labels);
    const key = `${peer.namespace ?? ''}/${peer.workload ?? ''}`;
    const hit = this.endpoints.get(labels);
    if (hit?.key === key) return hit.endpoint;
    const endpoint = this.resolver.endpointOf(peer, labels);
    if (typeof endpoint !== 'string') this.endpoints.set(labels, { key, endpoint });
    return endpoint;
  }

  private decide(delta: EdgeDelta): Outcome {
    const protocol = policyProtocol(delta.protocol);
    if (protocol === undefined || delta.port === null) return UNEVALUABLE;
    const from = this.endpointOf(delta.source, delta.sourceLabels);
    const to = this.endpointOf(delta.destination, delta.destinationLabels);
    if (typeof from === 'string' || typeof to === 'string') return UNEVALUABLE;
    const query = { from, to, port: delta.port, protocol };
    let decision: Decision;
    try {
      // Most paths are allowed with the staged sets: asked first, that is one engine call.
      if (this.staged.isAllowed(query)) return CLEAN;
      // Refused today already (by our model of the existing policies): the staged set is not
      // what would drop it, so it is not the set's would-drop.
      if (!this.today.isAllowed(query)) return CLEAN;
      decision = this.staged.evaluate(query);
    } catch {
      return UNEVALUABLE;
    }
    const deciders = new Map<number, WouldDropDecider>();
    const attribute = (direction: 'egress' | 'ingress', peer: EdgePeer): void => {
      const side = decision[direction];
      if (side.allowed) return;
      const target = this.targetOf(peer);
      if (target === undefined) return;
      deciders.set(target.id, deciderOf(direction, side, this.stagedIds.get(target.id) ?? new Set()));
    };
    attribute('egress', delta.source);
    attribute('ingress', delta.destination);
    return deciders.size === 0 ? CLEAN : { kind: 'would-drop', deciders };
  }
}
