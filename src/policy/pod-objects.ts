// Pods of the API objects, read after every other object so that each pod's workload can be
// named through its owners: a ReplicaSet or Job seen in the input names its controller
// (Deployment, CronJob); one not seen is recognised by its generated name.
import type { Workload } from '../flows/flow.js';
import { isRecord } from '../lib/is-record.js';
import type { ContainerPort, PodInfo } from './model.js';
import { canonical, controllerOf, protocolOf, str, stringMap, type OwnerRef } from './object-fields.js';

// pod-template-hash alphabet (k8s.io/apimachinery rand.SafeEncodeString).
const RS_HASH = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5,10}$/;
// CronJob jobs are named <cronjob>-<scheduled time in minutes>.
const CRONJOB_JOB = /^(.+)-\d{8,10}$/;

/** The controllers of ReplicaSets and Jobs in the input, by `namespace/name` (null: none). */
export interface Owners {
  readonly replicaSets: Map<string, OwnerRef | null>;
  readonly jobs: Map<string, OwnerRef | null>;
}

export function resolveWorkload(
  owners: Owners,
  namespace: string,
  podName: string,
  labels: Record<string, string>,
  owner: OwnerRef | undefined,
): Workload {
  if (owner === undefined) return { kind: 'Pod', name: podName };
  if (owner.kind === 'ReplicaSet') {
    const known = owners.replicaSets.get(`${namespace}/${owner.name}`);
    if (known !== undefined) return known === null ? owner : known;
    const hash = labels['pod-template-hash'];
    if (hash !== undefined && owner.name.endsWith(`-${hash}`))
      return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
    const match = RS_HASH.exec(owner.name);
    return match !== null ? { kind: 'Deployment', name: match[1] as string } : owner;
  }
  if (owner.kind === 'Job') {
    const known = owners.jobs.get(`${namespace}/${owner.name}`);
    if (known !== undefined) return known === null ? owner : known;
    const match = CRONJOB_JOB.exec(owner.name);
    return match !== null ? { kind: 'CronJob', name: match[1] as string } : owner;
  }
  return owner;
}

/**
 * One pod whose name and namespace were already checked; undefined when a container port is
 * invalid (each problem reported through `fail`).
 */
export function readPod(
  object: Record<string, unknown>,
  namespace: string,
  name: string,
  owners: Owners,
  fail: (path: string, message: string) => void,
): PodInfo | undefined {
  const metadata = object['metadata'] as Record<string, unknown>;
  const labels = stringMap(metadata['labels']) ?? {};
  const spec = isRecord(object['spec']) ? object['spec'] : {};
  const status = isRecord(object['status']) ? object['status'] : {};
  const ports = containerPortsOf(spec, fail);
  if (ports === undefined) return undefined;
  const nodeName = str(spec['nodeName']);
  const serviceAccount = str(spec['serviceAccountName']) ?? str(spec['serviceAccount']);
  return {
    namespace,
    name,
    labels,
    ips: podIpsOf(status),
    hostNetwork: spec['hostNetwork'] === true,
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(serviceAccount !== undefined ? { serviceAccount } : {}),
    ports,
    workload: resolveWorkload(owners, namespace, name, labels, controllerOf(metadata)),
  };
}

function containerPortsOf(
  spec: Record<string, unknown>,
  fail: (path: string, message: string) => void,
): ContainerPort[] | undefined {
  const ports: ContainerPort[] = [];
  let bad = false;
  (Array.isArray(spec['containers']) ? (spec['containers'] as unknown[]) : []).forEach((container, c) => {
    if (!isRecord(container) || !Array.isArray(container['ports'])) return;
    (container['ports'] as unknown[]).forEach((p, i) => {
      if (!isRecord(p)) return;
      const path = `spec.containers[${c}].ports[${i}]`;
      const containerPort = p['containerPort'];
      const protocol = protocolOf(p['protocol']);
      if (
        typeof containerPort !== 'number' ||
        !Number.isInteger(containerPort) ||
        containerPort < 1 ||
        containerPort > 65535
      ) {
        fail(`${path}.containerPort`, 'must be between 1 and 65535');
        bad = true;
        return;
      }
      if (protocol === undefined) {
        fail(`${path}.protocol`, `unsupported protocol ${JSON.stringify(p['protocol'])}`);
        bad = true;
        return;
      }
      const portName = str(p['name']);
      ports.push({ ...(portName !== undefined ? { name: portName } : {}), containerPort, protocol });
    });
  });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the callbacks above
  return bad ? undefined : ports;
}

/** A finished pod's IP has been released and may already belong to another pod. */
function podIpsOf(status: Record<string, unknown>): string[] {
  if (status['phase'] === 'Succeeded' || status['phase'] === 'Failed') return [];
  const ipTexts: unknown[] = Array.isArray(status['podIPs'])
    ? (status['podIPs'] as unknown[]).map((entry) => (isRecord(entry) ? entry['ip'] : undefined))
    : [status['podIP']];
  return [...new Set(ipTexts.map(canonical).filter((ip): ip is string => ip !== undefined))];
}
