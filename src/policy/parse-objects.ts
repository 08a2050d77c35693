// Kubernetes API objects (untrusted JSON, as `kubectl get -o json|yaml` prints them) → a
// ClusterSnapshot. `List` objects are flattened, unknown kinds ignored, NetworkPolicies validated
// strictly (validate-policy.ts). Problems are collected, each naming the object and field, and
// the invalid object is left out; nothing here throws on bad input. Names, namespaces and labels
// follow the API server's syntax rules (k8s-names.ts): an object Kubernetes would have refused is
// a problem naming the field, so `' OR 1=1 --` or a 100,000-character name never gets further.
import type { Workload } from '../flows/flow.js';
import { formatIp, parseIp } from '../net/ip.js';
import { NAMESPACE_NAME_LABEL } from './compile.js';
import { checkedLabels, dns1123LabelProblem, NAME_RULES, nameProblem } from './k8s-names.js';
import type {
  ClusterSnapshot,
  ContainerPort,
  NamespaceInfo,
  NetworkPolicy,
  NodeInfo,
  PodInfo,
  PolicyProtocol,
  ServiceInfo,
  ServicePort,
} from './model.js';
import { CniObjectCollector } from './collect-cni-objects.js';
import { isRecord } from '../lib/is-record.js';
import { validateNetworkPolicy } from './validate-policy.js';

export interface ObjectProblem {
  /** Where the object came from (a file name), when the caller said. */
  readonly origin?: string;
  /** `Kind namespace/name` (or `Kind name`, or `item N` when unnamed). */
  readonly object: string;
  readonly path: string;
  readonly message: string;
}

export interface ParseObjectsResult {
  readonly snapshot: ClusterSnapshot;
  readonly problems: readonly ObjectProblem[];
}

export interface SourcedObject {
  readonly origin: string;
  readonly object: unknown;
}

export interface ParseObjectsOptions {
  /** Bound on objects after flattening Lists (default 500,000). */
  readonly maxObjects?: number;
}

export function formatProblem(problem: ObjectProblem): string {
  const where = problem.origin === undefined ? '' : `${problem.origin}: `;
  return `${where}${problem.object}: ${problem.path}: ${problem.message}`;
}

const MAX_LIST_DEPTH = 4;
// pod-template-hash alphabet (k8s.io/apimachinery rand.SafeEncodeString).
const RS_HASH = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5,10}$/;
// CronJob jobs are named <cronjob>-<scheduled time in minutes>.
const CRONJOB_JOB = /^(.+)-\d{8,10}$/;

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A name for a problem's object label: an untrusted name is cut short. */
function shortName(name: string): string {
  return name.length <= 64 ? name : `${name.slice(0, 64)}…`;
}

function protocolOf(value: unknown): PolicyProtocol | undefined {
  if (value === undefined || value === null) return 'TCP';
  return value === 'TCP' || value === 'UDP' || value === 'SCTP' ? value : undefined;
}

/** The addresses of default/kubernetes in an EndpointSlice (`kubernetes.io/service-name`) or Endpoints object. */
function apiServerAddressesOf(
  kind: string,
  name: string | undefined,
  metadata: Record<string, unknown>,
  object: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  if (kind === 'EndpointSlice') {
    const labels = isRecord(metadata['labels']) ? metadata['labels'] : {};
    if (labels['kubernetes.io/service-name'] !== 'kubernetes') return out;
    for (const endpoint of Array.isArray(object['endpoints']) ? (object['endpoints'] as unknown[]) : []) {
      if (!isRecord(endpoint)) continue;
      for (const address of Array.isArray(endpoint['addresses'])
        ? (endpoint['addresses'] as unknown[])
        : []) {
        const ip = canonical(address);
        if (ip !== undefined) out.push(ip);
      }
    }
    return out;
  }
  if (name !== 'kubernetes') return out;
  for (const subset of Array.isArray(object['subsets']) ? (object['subsets'] as unknown[]) : []) {
    if (!isRecord(subset)) continue;
    for (const address of Array.isArray(subset['addresses']) ? (subset['addresses'] as unknown[]) : []) {
      const ip = isRecord(address) ? canonical(address['ip']) : undefined;
      if (ip !== undefined) out.push(ip);
    }
  }
  return out;
}

function canonical(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const ip = parseIp(text);
  return ip === undefined ? undefined : formatIp(ip);
}

interface OwnerRef {
  kind: string;
  name: string;
}

function controllerOf(metadata: Record<string, unknown>): OwnerRef | undefined {
  const refs = Array.isArray(metadata['ownerReferences']) ? (metadata['ownerReferences'] as unknown[]) : [];
  let first: OwnerRef | undefined;
  for (const ref of refs) {
    if (!isRecord(ref)) continue;
    const kind = str(ref['kind']);
    const name = str(ref['name']);
    if (kind === undefined || name === undefined) continue;
    if (ref['controller'] === true) return { kind, name };
    first ??= { kind, name };
  }
  return first;
}

function cniOf(collector: CniObjectCollector): { cni?: NonNullable<ClusterSnapshot['cni']> } {
  const cni = collector.result();
  return cni === undefined ? {} : { cni };
}

/** Parses bare API objects (or Lists of them). */
export function parseClusterObjects(
  objects: readonly unknown[],
  options: ParseObjectsOptions = {},
): ParseObjectsResult {
  return parseSourcedObjects(
    objects.map((object) => ({ origin: undefined, object })),
    options,
  );
}

/** Parses objects tagged with where they came from (a file), so problems can name it. */
export function parseSourcedObjects(
  input: readonly (SourcedObject | { readonly origin: undefined; readonly object: unknown })[],
  options: ParseObjectsOptions = {},
): ParseObjectsResult {
  const maxObjects = options.maxObjects ?? 500_000;
  const problems: ObjectProblem[] = [];
  const flat: { origin: string | undefined; object: Record<string, unknown>; label: string }[] = [];
  let truncated = false;
  const push = (object: unknown, origin: string | undefined, label: string, depth: number): void => {
    if (flat.length >= maxObjects) {
      truncated = true;
      return;
    }
    if (!isRecord(object)) {
      problems.push({
        ...(origin !== undefined ? { origin } : {}),
        object: label,
        path: '',
        message: 'not an object',
      });
      return;
    }
    const kind = object['kind'];
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(object['items'])) {
      if (depth >= MAX_LIST_DEPTH) {
        problems.push({
          ...(origin !== undefined ? { origin } : {}),
          object: label,
          path: 'items',
          message: 'Lists nested too deeply',
        });
        return;
      }
      (object['items'] as unknown[]).forEach((item, i) =>
        push(item, origin, `${label} items[${i}]`, depth + 1),
      );
      return;
    }
    flat.push({ origin, object, label });
  };
  input.forEach((entry, i) => push(entry.object, entry.origin, `object ${i + 1}`, 0));
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the callbacks above
  if (truncated)
    problems.push({
      object: 'input',
      path: '',
      message: `more than ${maxObjects} objects; the rest were ignored`,
    });

  const namespaces = new Map<string, NamespaceInfo>();
  const pods: PodInfo[] = [];
  const podKeys = new Set<string>();
  const services: ServiceInfo[] = [];
  const policies: NetworkPolicy[] = [];
  const nodes: NodeInfo[] = [];
  const replicaSets = new Map<string, OwnerRef | null>();
  const jobs = new Map<string, OwnerRef | null>();
  const rawPods: { origin: string | undefined; object: Record<string, unknown>; label: string }[] = [];
  const cni = new CniObjectCollector();
  // The API server's endpoints: the EndpointSlices of default/kubernetes (or its Endpoints).
  const apiServer = new Set<string>();

  for (const item of flat) {
    const { object, origin } = item;
    const kind = str(object['kind']) ?? '';
    const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
    const name = str(metadata['name']);
    const namespace = str(metadata['namespace']);
    const fail = (
      path: string,
      message: string,
      objectName = `${kind} ${namespace !== undefined ? `${shortName(namespace)}/` : ''}${name !== undefined ? shortName(name) : '(unnamed)'}`,
    ): void => {
      problems.push({ ...(origin !== undefined ? { origin } : {}), object: objectName, path, message });
    };
    // Cilium, Calico and other policy groups first: a projectcalico.org NetworkPolicy is not a k8s one.
    const cniProblems = cni.accept(object, kind, name, namespace);
    if (cniProblems !== undefined) {
      for (const problem of cniProblems) fail(problem.path, problem.message);
      continue;
    }
    if ((kind === 'EndpointSlice' || kind === 'Endpoints') && namespace === 'default') {
      for (const ip of apiServerAddressesOf(kind, name, metadata, object)) apiServer.add(ip);
      continue;
    }
    const namespaced = ['Pod', 'Service', 'NetworkPolicy', 'ReplicaSet', 'Job'].includes(kind);
    if (!['Namespace', 'Node', 'Pod', 'Service', 'NetworkPolicy', 'ReplicaSet', 'Job'].includes(kind))
      continue;
    if (name === undefined || name === '') {
      fail('metadata.name', 'required', `${kind} ${item.label}`);
      continue;
    }
    if (namespaced && (namespace === undefined || namespace === '')) {
      fail('metadata.namespace', 'required');
      continue;
    }
    const rule = NAME_RULES[kind];
    const nameIssue = rule !== undefined ? nameProblem(rule, name) : undefined;
    if (nameIssue !== undefined) {
      fail('metadata.name', nameIssue);
      continue;
    }
    const namespaceIssue = namespaced && namespace !== undefined ? dns1123LabelProblem(namespace) : undefined;
    if (namespaceIssue !== undefined) {
      fail('metadata.namespace', namespaceIssue);
      continue;
    }
    const checked = checkedLabels(metadata['labels']);
    for (const problem of checked.problems) fail(problem.path, problem.message);
    const labels = checked.labels;
    if (labels === undefined) continue;
    switch (kind) {
      case 'Namespace':
        namespaces.set(name, {
          name,
          labels: { ...labels, [NAMESPACE_NAME_LABEL]: labels[NAMESPACE_NAME_LABEL] ?? name },
        });
        break;
      case 'ReplicaSet':
        replicaSets.set(`${namespace}/${name}`, controllerOf(metadata) ?? null);
        break;
      case 'Job':
        jobs.set(`${namespace}/${name}`, controllerOf(metadata) ?? null);
        break;
      case 'Node': {
        const status = isRecord(object['status']) ? object['status'] : {};
        const ips: string[] = [];
        for (const address of Array.isArray(status['addresses']) ? (status['addresses'] as unknown[]) : []) {
          if (isRecord(address) && address['type'] === 'InternalIP') {
            const ip = canonical(address['address']);
            if (ip !== undefined) ips.push(ip);
          }
        }
        nodes.push({ name, ips, ...(Object.keys(labels).length > 0 ? { labels } : {}) });
        break;
      }
      case 'Service': {
        const spec = isRecord(object['spec']) ? object['spec'] : {};
        const selector = stringMap(spec['selector']);
        const ipTexts = Array.isArray(spec['clusterIPs'])
          ? (spec['clusterIPs'] as unknown[])
          : [spec['clusterIP']];
        const clusterIPs = ipTexts.map(canonical).filter((ip): ip is string => ip !== undefined);
        const ports: ServicePort[] = [];
        let bad = false;
        (Array.isArray(spec['ports']) ? (spec['ports'] as unknown[]) : []).forEach((p, i) => {
          if (!isRecord(p)) return;
          const port = p['port'];
          const protocol = protocolOf(p['protocol']);
          if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
            fail(`spec.ports[${i}].port`, 'must be between 1 and 65535');
            bad = true;
            return;
          }
          if (protocol === undefined) {
            fail(`spec.ports[${i}].protocol`, `unsupported protocol ${JSON.stringify(p['protocol'])}`);
            bad = true;
            return;
          }
          const target = p['targetPort'];
          const targetPort = typeof target === 'number' || typeof target === 'string' ? target : port;
          const portName = str(p['name']);
          ports.push({ ...(portName !== undefined ? { name: portName } : {}), port, targetPort, protocol });
        });
        const type = str(spec['type']);
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the callbacks above
        if (!bad)
          services.push({
            namespace: namespace as string,
            name,
            ...(selector !== undefined && Object.keys(selector).length > 0 ? { selector } : {}),
            ...(type !== undefined ? { type } : {}),
            clusterIPs,
            ports,
          });
        break;
      }
      case 'NetworkPolicy': {
        const annotations = stringMap(metadata['annotations']);
        const result = validateNetworkPolicy(
          object,
          name,
          namespace as string,
          metadata['labels'] === undefined ? undefined : labels,
          annotations,
        );
        for (const problem of result.problems) fail(problem.path, problem.message);
        if (result.policy !== undefined) policies.push(result.policy);
        break;
      }
      case 'Pod':
        rawPods.push(item);
        break;
    }
  }

  const resolveWorkload = (
    namespace: string,
    podName: string,
    labels: Record<string, string>,
    owner: OwnerRef | undefined,
  ): Workload => {
    if (owner === undefined) return { kind: 'Pod', name: podName };
    if (owner.kind === 'ReplicaSet') {
      const known = replicaSets.get(`${namespace}/${owner.name}`);
      if (known !== undefined) return known === null ? owner : known;
      const hash = labels['pod-template-hash'];
      if (hash !== undefined && owner.name.endsWith(`-${hash}`))
        return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
      const match = RS_HASH.exec(owner.name);
      return match !== null ? { kind: 'Deployment', name: match[1] as string } : owner;
    }
    if (owner.kind === 'Job') {
      const known = jobs.get(`${namespace}/${owner.name}`);
      if (known !== undefined) return known === null ? owner : known;
      const match = CRONJOB_JOB.exec(owner.name);
      return match !== null ? { kind: 'CronJob', name: match[1] as string } : owner;
    }
    return owner;
  };

  for (const { object, origin } of rawPods) {
    const metadata = object['metadata'] as Record<string, unknown>;
    const name = metadata['name'] as string;
    const namespace = metadata['namespace'] as string;
    const fail = (path: string, message: string): void => {
      problems.push({
        ...(origin !== undefined ? { origin } : {}),
        object: `Pod ${namespace}/${name}`,
        path,
        message,
      });
    };
    const key = `${namespace}/${name}`;
    if (podKeys.has(key)) {
      fail('metadata.name', 'duplicate pod');
      continue;
    }
    const labels = stringMap(metadata['labels']) ?? {};
    const spec = isRecord(object['spec']) ? object['spec'] : {};
    const status = isRecord(object['status']) ? object['status'] : {};
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
    if (bad) continue;
    // A finished pod's IP has been released and may already belong to another pod.
    const finished = status['phase'] === 'Succeeded' || status['phase'] === 'Failed';
    const ipTexts: unknown[] = Array.isArray(status['podIPs'])
      ? (status['podIPs'] as unknown[]).map((entry) => (isRecord(entry) ? entry['ip'] : undefined))
      : [status['podIP']];
    const ips = finished
      ? []
      : [...new Set(ipTexts.map(canonical).filter((ip): ip is string => ip !== undefined))];
    const nodeName = str(spec['nodeName']);
    const serviceAccount = str(spec['serviceAccountName']) ?? str(spec['serviceAccount']);
    podKeys.add(key);
    pods.push({
      namespace,
      name,
      labels,
      ips,
      hostNetwork: spec['hostNetwork'] === true,
      ...(nodeName !== undefined ? { nodeName } : {}),
      ...(serviceAccount !== undefined ? { serviceAccount } : {}),
      ports,
      workload: resolveWorkload(namespace, name, labels, controllerOf(metadata)),
    });
    if (!namespaces.has(namespace))
      namespaces.set(namespace, { name: namespace, labels: { [NAMESPACE_NAME_LABEL]: namespace } });
  }

  return {
    snapshot: {
      namespaces: [...namespaces.values()],
      pods,
      services,
      policies,
      nodes,
      ...cniOf(cni),
      ...(apiServer.size > 0 ? { apiServerAddresses: [...apiServer].sort() } : {}),
    },
    problems,
  };
}
