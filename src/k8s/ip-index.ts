// IP → pod at a point in time. Pod IPs are reused quickly (a deleted pod's address can go to a
// new pod seconds later), and flows arrive late (relay buffering, 15 s Goldmane windows, log
// tailing), so the index keeps a short history per IP: who held it from when until when. A flow
// is resolved at its own time, never at "now". Bounded: at most maxEntriesPerIp intervals per
// address, at most maxIps addresses, closed intervals forgotten retentionMs after they closed.
// hostNetwork pods are not indexed: their address is the node's and selects no pod.
import type { PodInfo } from '../policy/model.js';

export interface IpIndexOptions {
  readonly maxEntriesPerIp?: number;
  readonly retentionMs?: number;
  readonly maxIps?: number;
  /** A flow up to this long before a pod was first seen with an IP still resolves to it (informer lag). */
  readonly earlyGraceMs?: number;
}

interface Interval {
  readonly key: string;
  pod: PodInfo;
  readonly fromMs: number;
  untilMs: number | undefined;
}

export class IpIndex {
  private readonly byIp = new Map<string, Interval[]>();
  /** pod key (ns/name) → the IPs it currently holds. */
  private readonly ipsOfPod = new Map<string, readonly string[]>();
  private readonly maxEntriesPerIp: number;
  private readonly retentionMs: number;
  private readonly maxIps: number;
  private readonly earlyGraceMs: number;

  constructor(options: IpIndexOptions = {}) {
    this.maxEntriesPerIp = Math.max(1, options.maxEntriesPerIp ?? 4);
    this.retentionMs = options.retentionMs ?? 10 * 60_000;
    this.maxIps = options.maxIps ?? 200_000;
    this.earlyGraceMs = options.earlyGraceMs ?? 5_000;
  }

  /**
   * A pod was added or changed at atMs (its labels, its IPs). A newly held IP is attributed to it
   * from fromMs (default atMs; the pod's start time when it is first listed).
   */
  upsert(pod: PodInfo, atMs: number, fromMs: number = atMs): void {
    const key = `${pod.namespace}/${pod.name}`;
    const ips = pod.hostNetwork ? [] : [...new Set(pod.ips)];
    const previous = this.ipsOfPod.get(key) ?? [];
    for (const ip of previous) if (!ips.includes(ip)) this.close(ip, key, atMs);
    for (const ip of ips) this.open(ip, key, pod, atMs, Math.min(fromMs, atMs));
    if (ips.length > 0) this.ipsOfPod.set(key, ips);
    else this.ipsOfPod.delete(key);
  }

  /** The pod is gone at atMs: its addresses stay resolvable for earlier flow times. */
  remove(namespace: string, name: string, atMs: number): void {
    const key = `${namespace}/${name}`;
    for (const ip of this.ipsOfPod.get(key) ?? []) this.close(ip, key, atMs);
    this.ipsOfPod.delete(key);
  }

  /** The pod that held ip at timeMs, or undefined. */
  resolve(ip: string, timeMs: number): PodInfo | undefined {
    const intervals = this.byIp.get(ip);
    if (intervals === undefined) return undefined;
    let best: Interval | undefined;
    for (const iv of intervals) {
      if (timeMs >= iv.fromMs && (iv.untilMs === undefined || timeMs < iv.untilMs)) return iv.pod;
      // Slightly before the pod was first seen: informer lag. Take the nearest later holder.
      if (
        timeMs < iv.fromMs &&
        iv.fromMs - timeMs <= this.earlyGraceMs &&
        (best === undefined || iv.fromMs < best.fromMs)
      )
        best = iv;
    }
    return best?.pod;
  }

  /** Forgets intervals closed more than retentionMs before nowMs. */
  prune(nowMs: number): void {
    for (const [ip, intervals] of this.byIp) {
      const kept = intervals.filter(
        (iv) => iv.untilMs === undefined || nowMs - iv.untilMs <= this.retentionMs,
      );
      if (kept.length === 0) this.byIp.delete(ip);
      else if (kept.length !== intervals.length) this.byIp.set(ip, kept);
    }
  }

  /** Drops everything (a relist rebuilds it). */
  clear(): void {
    this.byIp.clear();
    this.ipsOfPod.clear();
  }

  get size(): number {
    return this.byIp.size;
  }

  private open(ip: string, key: string, pod: PodInfo, atMs: number, fromMs: number): void {
    let intervals = this.byIp.get(ip);
    if (intervals === undefined) {
      if (this.byIp.size >= this.maxIps) return;
      intervals = [];
      this.byIp.set(ip, intervals);
    }
    const current = intervals.find((iv) => iv.untilMs === undefined && iv.key === key);
    if (current !== undefined) {
      current.pod = pod; // label change: same holder, newest view
      return;
    }
    // Another pod still "holds" the IP (its delete not seen yet): it lost it now.
    let start = fromMs;
    for (const iv of intervals) {
      if (iv.untilMs === undefined) iv.untilMs = Math.max(iv.fromMs, atMs);
      // Never let the new holder's interval reach back into a previous holder's.
      start = Math.max(start, iv.untilMs);
    }
    intervals.push({ key, pod, fromMs: start, untilMs: undefined });
    while (intervals.length > this.maxEntriesPerIp) intervals.shift();
  }

  private close(ip: string, key: string, atMs: number): void {
    for (const iv of this.byIp.get(ip) ?? [])
      if (iv.key === key && iv.untilMs === undefined) iv.untilMs = Math.max(iv.fromMs, atMs);
  }
}
