// One side of a Hubble flow → Endpoint: its kind (labels and identity, hubble-labels.ts, then a
// pod name or namespace makes it a pod), pod labels, namespace, pod, workload (Hubble's
// `workloads` list, else derived from the pod name and labels) and DNS names, all bounded.
import type { Endpoint, EndpointKind } from './flow.js';
import { addNames, isObjectName, type DropCounter } from './bounds.js';
import { isRecord } from '../lib/is-record.js';
import { Invalid } from './invalid.js';
import type { WorkloadNames } from './workload-name.js';
import { better, cachedLabelInfo, KIND_PRIORITY, type LabelInfo } from './hubble-labels.js';

/** What endpoints remember between flows of one parser: labels per identity, workloads per pod. */
export interface EndpointMemo {
  readonly labels: Map<number, LabelInfo>;
  readonly workloads: WorkloadNames;
  /** Endpoints built from deeply frozen endpoint objects (see endpointOf). */
  readonly endpoints: WeakMap<object, BuiltEndpoint>;
}

interface BuiltEndpoint {
  readonly ip: string | undefined;
  readonly endpoint: Endpoint;
  readonly dropped: number;
}

const EMPTY: readonly unknown[] = [];
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

type MutableEndpoint = { -readonly [K in keyof Endpoint]: Endpoint[K] };

const NO_NAMES: readonly string[] = Object.freeze([]);

/** An absent or valid Cilium security identity. */
export function isIdentity(value: unknown): value is number | undefined {
  return value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= 0);
}

/** An absent or empty name, or a valid object name. */
export function isOptionalName(value: unknown): boolean {
  return value === undefined || value === '' || isObjectName(value);
}

/** A frozen object whose label list and workloads (what endpointOf reads) are frozen too. */
function isDeeplyFrozen(value: Record<string, unknown>): boolean {
  const { labels, workloads } = value;
  if (labels !== undefined && !Object.isFrozen(labels)) return false;
  if (workloads === undefined) return true;
  if (!Array.isArray(workloads) || !Object.isFrozen(workloads)) return false;
  const first: unknown = workloads[0];
  return first === undefined || Object.isFrozen(first);
}

/**
 * The Endpoint of one side of a flow (`source` or `destination`) with its address and DNS names.
 * An endpoint object that cannot change (deeply frozen: the relay decoder hands out one per
 * distinct encoding, src/sources/hubble-relay-decode.ts) seen again with the same address and no
 * DNS names gets the Endpoint built the first time: the build is a function of those alone
 * (labels, workload names and bounds are pure), and the result is frozen. Objects of JSON.parse
 * are never frozen and are built every time.
 */
export function endpointOf(
  side: string,
  value: unknown,
  ip: string | undefined,
  names: unknown,
  counter: DropCounter,
  memo: EndpointMemo,
): Endpoint | Invalid {
  if (names !== undefined || typeof value !== 'object' || value === null || !Object.isFrozen(value))
    return buildEndpoint(side, value, ip, names, counter, memo);
  const built = memo.endpoints.get(value);
  if (built !== undefined && built.ip === ip) {
    counter.dropped += built.dropped;
    return built.endpoint;
  }
  const before = counter.dropped;
  const endpoint = buildEndpoint(side, value, ip, names, counter, memo);
  if (!(endpoint instanceof Invalid) && isDeeplyFrozen(value as Record<string, unknown>)) {
    const dropped = counter.dropped - before;
    memo.endpoints.set(value, { ip, endpoint: Object.freeze(endpoint), dropped });
  }
  return endpoint;
}

function buildEndpoint(
  side: string,
  value: unknown,
  ip: string | undefined,
  names: unknown,
  counter: DropCounter,
  memo: EndpointMemo,
): Endpoint | Invalid {
  let outNames = NO_NAMES;
  if (names !== undefined) {
    const added: string[] = [];
    addNames(added, names, counter);
    if (added.length > 0) outNames = added;
  }
  if (value === undefined || value === null) {
    const endpoint: MutableEndpoint = { kind: 'unknown', labels: NO_LABELS, names: outNames };
    if (ip !== undefined) endpoint.ip = ip;
    return endpoint;
  }
  if (!isRecord(value)) return new Invalid('invalid_field', `${side} is not an object`);
  const identity = value.identity;
  if (!isIdentity(identity)) return new Invalid('invalid_field', `${side}.identity`);
  const rawLabels = value.labels ?? EMPTY;
  if (!Array.isArray(rawLabels)) return new Invalid('invalid_field', `${side}.labels is not an array`);
  const info = cachedLabelInfo(side, identity, rawLabels as unknown[], memo.labels);
  if (info instanceof Invalid) return info;
  counter.dropped += info.dropped;
  let rank = info.rank;

  const namespace = value.namespace;
  const pod = value.pod_name;
  if (!isOptionalName(namespace)) return new Invalid('invalid_field', `${side}.namespace`);
  if (!isOptionalName(pod)) return new Invalid('invalid_field', `${side}.pod_name`);
  const hasNamespace = typeof namespace === 'string' && namespace !== '';
  const hasPod = typeof pod === 'string' && pod !== '';
  if (hasNamespace || hasPod) rank = better(rank, 'pod');
  const kind: EndpointKind = rank < 0 ? 'unknown' : (KIND_PRIORITY[rank] ?? 'unknown');
  const endpoint: MutableEndpoint = {
    kind,
    labels: kind === 'pod' ? info.labels : NO_LABELS,
    names: outNames,
  };
  if (ip !== undefined) endpoint.ip = ip;
  if (kind !== 'pod') return endpoint;

  if (hasNamespace) endpoint.namespace = namespace;
  const workloads = value.workloads;
  if (workloads !== undefined) {
    if (!Array.isArray(workloads)) return new Invalid('invalid_field', `${side}.workloads is not an array`);
    const first: unknown = workloads[0];
    if (
      isRecord(first) &&
      isObjectName(first.name) &&
      typeof first.kind === 'string' &&
      first.kind.length > 0 &&
      first.kind.length <= 63
    ) {
      endpoint.workload = { kind: first.kind, name: first.name };
    }
  }
  if (hasPod) {
    endpoint.pod = pod;
    if (endpoint.workload === undefined) endpoint.workload = memo.workloads.ofPod(pod, info.labels);
  }
  return endpoint;
}

/**
 * True when endpointOf cannot reject `value` (a sufficient condition, not a necessary one): no
 * wrong type for identity, labels, namespace, pod name or workloads. Reading it builds nothing.
 */
export function isPlainEndpoint(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (!isRecord(value)) return false;
  if (!isIdentity(value.identity)) return false;
  const labels = value.labels;
  if (labels !== undefined && labels !== null) {
    if (!Array.isArray(labels)) return false;
    for (let i = 0; i < labels.length; i++) if (typeof labels[i] !== 'string') return false;
  }
  const { namespace, pod_name: pod, workloads } = value;
  if (!isOptionalName(namespace) || !isOptionalName(pod)) return false;
  return workloads === undefined || Array.isArray(workloads);
}
