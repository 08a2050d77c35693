// The in-process bus between the daemon (pipeline batches, the alert dispatcher) and the live
// stream: publish is synchronous and never throws, subscribers are bounded in number and a
// subscriber that throws is counted and kept (the stream does its own per-client bounding).
import type { EdgeDelta, EdgePeer } from '../flows/edge.js';
import type { WouldDropJson } from '../staged/set-view.js';

export interface StreamPeer {
  readonly kind: string;
  readonly namespace?: string;
  readonly workload?: string;
  readonly workloadKind?: string;
  readonly ip?: string;
}

/** An edge as a batch changed it: `count` is what this batch added. */
export interface EdgeEvent {
  readonly key: string;
  readonly source: StreamPeer;
  readonly destination: StreamPeer;
  readonly protocol: string;
  readonly port: number | null;
  readonly verdict: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly dropReasons: Readonly<Record<string, number>>;
}

export interface AlertEvent {
  readonly id: number;
  readonly classification: string;
  readonly status: string;
  readonly summary: string;
  readonly count: number;
  readonly lastSeen: string;
}

/** A path an active staged set would drop, seen for the first time since staging (shadow mode). */
export type WouldDropEvent = WouldDropJson & { readonly setId: number; readonly namespace: string };

export type StreamEvent =
  | { readonly type: 'edge'; readonly edge: EdgeEvent }
  | { readonly type: 'blocked'; readonly edge: EdgeEvent }
  | { readonly type: 'alert'; readonly alert: AlertEvent }
  | { readonly type: 'would-drop'; readonly wouldDrop: WouldDropEvent }
  /** After each batch: how much it wrote, and how many edge events were left out (bounded). */
  | { readonly type: 'batch'; readonly edges: number; readonly omitted: number };

export type Subscriber = (event: StreamEvent) => void;

export const DEFAULT_MAX_SUBSCRIBERS = 1000;

export class EventBus {
  private readonly subscribers = new Set<Subscriber>();
  /** Subscriber exceptions swallowed so far (a bug in a subscriber must not stop the pipeline). */
  subscriberErrors = 0;

  constructor(readonly maxSubscribers = DEFAULT_MAX_SUBSCRIBERS) {}

  get size(): number {
    return this.subscribers.size;
  }

  /** Returns the unsubscribe function, or undefined when the bus is full. */
  subscribe(subscriber: Subscriber): (() => void) | undefined {
    if (this.subscribers.size >= this.maxSubscribers) return undefined;
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  publish(event: StreamEvent): void {
    for (const subscriber of this.subscribers) {
      try {
        subscriber(event);
      } catch {
        this.subscriberErrors++;
      }
    }
  }
}

function streamPeer(peer: EdgePeer): StreamPeer {
  return {
    kind: peer.kind,
    ...(peer.namespace !== undefined ? { namespace: peer.namespace } : {}),
    ...(peer.workload !== undefined ? { workload: peer.workload } : {}),
    ...(peer.workloadKind !== undefined ? { workloadKind: peer.workloadKind } : {}),
    ...(peer.ip !== undefined ? { ip: peer.ip } : {}),
  };
}

function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

export function edgeEventOf(delta: EdgeDelta): EdgeEvent {
  return {
    key: delta.key,
    source: streamPeer(delta.source),
    destination: streamPeer(delta.destination),
    protocol: delta.protocol,
    port: delta.port,
    verdict: delta.verdict,
    count: delta.count,
    firstSeen: iso(delta.firstSeenMs),
    lastSeen: iso(delta.lastSeenMs),
    dropReasons: Object.fromEntries(delta.dropReasons),
  };
}

/** The events of one written batch: blocked edges first (they matter most), at most `max` of them. */
export function publishBatch(
  bus: EventBus,
  deltas: readonly EdgeDelta[],
  max: number,
  /** The batch's edges when `deltas` is a sample of them (a batch another thread committed). */
  edges = deltas.length,
): void {
  const ordered = [
    ...deltas.filter((d) => d.verdict === 'dropped'),
    ...deltas.filter((d) => d.verdict !== 'dropped'),
  ];
  let sent = 0;
  for (const delta of ordered) {
    if (sent >= max) break;
    const edge = edgeEventOf(delta);
    bus.publish(delta.verdict === 'dropped' ? { type: 'blocked', edge } : { type: 'edge', edge });
    sent++;
  }
  bus.publish({ type: 'batch', edges, omitted: edges - sent });
}
