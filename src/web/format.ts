// Text formatting of API values: peers, times, counts. Returns strings only (rendered as text).

/** What the dashboard reads of a peer; every peer shape of the API (src/api) fits it. */
export interface PeerView {
  readonly namespace?: string | undefined;
  readonly workload?: string | null | undefined;
  readonly name?: string | undefined;
  readonly names?: readonly string[] | undefined;
  readonly ip?: string | null | undefined;
  readonly kind?: string | undefined;
  /** A pod side's sampled pod names and labels (flows only). */
  readonly pods?: readonly string[] | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** A Calico-named peer: NetworkSet, `pub`/`pvt` network, host endpoint. */
  readonly entity?:
    | {
        readonly kind?: string | undefined;
        readonly name?: string | undefined;
        readonly namespace?: string | undefined;
      }
    | undefined;
}

const nonEmpty = (text: string | null | undefined): string | undefined =>
  typeof text === 'string' && text.length > 0 ? text : undefined;

/** `ns/workload` for a pod side, the first DNS name or the IP for anything else. */
export function peerLabel(peer: PeerView): string {
  const namespace = nonEmpty(peer.namespace);
  if (namespace !== undefined) return `${namespace}/${nonEmpty(peer.workload) ?? nonEmpty(peer.name) ?? '?'}`;
  const kind = nonEmpty(peer.kind) ?? 'external';
  const name = peer.names?.[0] ?? nonEmpty(peer.ip);
  if (name !== undefined) return name;
  const entity = peer.entity;
  const entityName = nonEmpty(entity?.name);
  if (entity !== undefined && entityName !== undefined) {
    const entityNamespace = nonEmpty(entity.namespace);
    return `${nonEmpty(entity.kind) ?? kind} ${entityNamespace !== undefined ? `${entityNamespace}/` : ''}${entityName}`;
  }
  return kind;
}

export function peerNamespace(peer: PeerView): string | undefined {
  return nonEmpty(peer.namespace);
}

export function portLabel(port: number | null | undefined, protocol: string | undefined): string {
  const proto = protocol ?? 'TCP';
  return port === null || port === undefined ? proto : `${port}/${proto}`;
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US');
}

/** An ISO time or epoch ms as `YYYY-MM-DD HH:MM:SSZ`; '–' for none. */
export function formatTime(value: string | number | null | undefined): string {
  const text = typeof value === 'number' ? new Date(value).toISOString() : (value ?? '');
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return '–';
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function timeAgo(value: string | number | null | undefined, nowMs = Date.now()): string {
  const ms = typeof value === 'number' ? value : Date.parse(value ?? '');
  if (Number.isNaN(ms)) return '–';
  const sec = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (sec < 60) return `${sec}s ago`;
  if (sec < 3600) return `${Math.round(sec / 60)}m ago`;
  if (sec < 86_400) return `${Math.round(sec / 3600)}h ago`;
  return `${Math.round(sec / 86_400)}d ago`;
}

export function percent(value: number | undefined): string {
  return value === undefined ? '–' : `${Math.round(value * 100)}%`;
}
