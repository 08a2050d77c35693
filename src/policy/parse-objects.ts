// Kubernetes API objects (untrusted JSON, as `kubectl get -o json|yaml` prints them) → a
// ClusterSnapshot. `List` objects are flattened, unknown kinds ignored, NetworkPolicies validated
// strictly (validate-policy.ts). Problems are collected, each naming the object and field, and
// the invalid object is left out; nothing here throws on bad input. Names, namespaces and labels
// follow the API server's syntax rules (k8s-names.ts): an object Kubernetes would have refused is
// a problem naming the field, so `' OR 1=1 --` or a 100,000-character name never gets further.
//
// Stages: flatten Lists (bounded in count and depth); read each object (CNI policy kinds first,
// the API server's endpoints, then the kinds a snapshot holds, after their name, namespace and
// labels pass); then the pods, whose workloads are named through the ReplicaSets and Jobs read
// before them (pod-objects.ts).
import { NAMESPACE_NAME_LABEL } from './compile.js';
import { checkedLabels, dns1123LabelProblem, NAME_RULES, nameProblem } from './k8s-names.js';
import type {
  ClusterSnapshot,
  NamespaceInfo,
  NetworkPolicy,
  NodeInfo,
  PodInfo,
  ServiceInfo,
} from './model.js';
import { CniObjectCollector } from './collect-cni-objects.js';
import { isRecord } from '../lib/is-record.js';
import { validateNetworkPolicy } from './validate-policy.js';
import { apiServerAddressesOf, canonical, controllerOf, shortName, str, stringMap } from './object-fields.js';
import { readPod, type Owners } from './pod-objects.js';
import { flattenObjects, type FlatObject } from './flatten-objects.js';
import { readService, type Fail } from './service-objects.js';

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

const SNAPSHOT_KINDS = ['Namespace', 'Node', 'Pod', 'Service', 'NetworkPolicy', 'ReplicaSet', 'Job'];
const NAMESPACED_KINDS = ['Pod', 'Service', 'NetworkPolicy', 'ReplicaSet', 'Job'];

/** What the object pass collects, and the problems of every stage in the order found. */
interface Collected extends Owners {
  readonly problems: ObjectProblem[];
  readonly namespaces: Map<string, NamespaceInfo>;
  readonly pods: PodInfo[];
  readonly services: ServiceInfo[];
  readonly policies: NetworkPolicy[];
  readonly nodes: NodeInfo[];
  /** Pods wait for the pass over every other object (their owners). */
  readonly rawPods: FlatObject[];
  readonly cni: CniObjectCollector;
  /** The API server's endpoints: the EndpointSlices of default/kubernetes (or its Endpoints). */
  readonly apiServer: Set<string>;
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
  const problems: ObjectProblem[] = [];
  const flat = flattenObjects(input, options.maxObjects ?? 500_000, problems);
  const collected: Collected = {
    problems,
    namespaces: new Map(),
    pods: [],
    services: [],
    policies: [],
    nodes: [],
    replicaSets: new Map(),
    jobs: new Map(),
    rawPods: [],
    cni: new CniObjectCollector(),
    apiServer: new Set(),
  };
  for (const item of flat) readObject(item, collected);
  readPods(collected);
  const { namespaces, pods, services, policies, nodes, cni, apiServer } = collected;
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

/** One object: a CNI policy kind, the API server's endpoints, or a kind the snapshot holds. */
function readObject(item: FlatObject, collected: Collected): void {
  const { object, origin } = item;
  const kind = str(object['kind']) ?? '';
  const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
  const name = str(metadata['name']);
  const namespace = str(metadata['namespace']);
  const fail: Fail = (
    path,
    message,
    objectName = `${kind} ${namespace !== undefined ? `${shortName(namespace)}/` : ''}${name !== undefined ? shortName(name) : '(unnamed)'}`,
  ) => {
    collected.problems.push({
      ...(origin !== undefined ? { origin } : {}),
      object: objectName,
      path,
      message,
    });
  };
  // Cilium, Calico and other policy groups first: a projectcalico.org NetworkPolicy is not a k8s one.
  const cniProblems = collected.cni.accept(object, kind, name, namespace);
  if (cniProblems !== undefined) {
    for (const problem of cniProblems) fail(problem.path, problem.message);
    return;
  }
  if ((kind === 'EndpointSlice' || kind === 'Endpoints') && namespace === 'default') {
    for (const ip of apiServerAddressesOf(kind, name, metadata, object)) collected.apiServer.add(ip);
    return;
  }
  if (!SNAPSHOT_KINDS.includes(kind)) return;
  const labels = checkedIdentity(kind, name, namespace, metadata, item.label, fail);
  if (labels === undefined) return;
  // Checked: a name, and a namespace for the namespaced kinds.
  const [checkedName, checkedNamespace] = [name as string, namespace as string];
  switch (kind) {
    case 'Namespace':
      collected.namespaces.set(checkedName, {
        name: checkedName,
        labels: { ...labels, [NAMESPACE_NAME_LABEL]: labels[NAMESPACE_NAME_LABEL] ?? checkedName },
      });
      break;
    case 'ReplicaSet':
      collected.replicaSets.set(`${checkedNamespace}/${checkedName}`, controllerOf(metadata) ?? null);
      break;
    case 'Job':
      collected.jobs.set(`${checkedNamespace}/${checkedName}`, controllerOf(metadata) ?? null);
      break;
    case 'Node':
      collected.nodes.push(readNode(object, checkedName, labels));
      break;
    case 'Service': {
      const service = readService(object, checkedNamespace, checkedName, fail);
      if (service !== undefined) collected.services.push(service);
      break;
    }
    case 'NetworkPolicy': {
      const annotations = stringMap(metadata['annotations']);
      const result = validateNetworkPolicy(
        object,
        checkedName,
        checkedNamespace,
        metadata['labels'] === undefined ? undefined : labels,
        annotations,
      );
      for (const problem of result.problems) fail(problem.path, problem.message);
      if (result.policy !== undefined) collected.policies.push(result.policy);
      break;
    }
    case 'Pod':
      collected.rawPods.push(item);
      break;
  }
}

/**
 * The name, namespace and labels of a snapshot kind, checked as the API server checks them:
 * the labels when they pass, undefined (problems reported) when the object is left out.
 */
function checkedIdentity(
  kind: string,
  name: string | undefined,
  namespace: string | undefined,
  metadata: Record<string, unknown>,
  label: string,
  fail: Fail,
): Record<string, string> | undefined {
  const namespaced = NAMESPACED_KINDS.includes(kind);
  if (name === undefined || name === '') {
    fail('metadata.name', 'required', `${kind} ${label}`);
    return undefined;
  }
  if (namespaced && (namespace === undefined || namespace === '')) {
    fail('metadata.namespace', 'required');
    return undefined;
  }
  const rule = NAME_RULES[kind];
  const nameIssue = rule !== undefined ? nameProblem(rule, name) : undefined;
  if (nameIssue !== undefined) {
    fail('metadata.name', nameIssue);
    return undefined;
  }
  const namespaceIssue = namespaced && namespace !== undefined ? dns1123LabelProblem(namespace) : undefined;
  if (namespaceIssue !== undefined) {
    fail('metadata.namespace', namespaceIssue);
    return undefined;
  }
  const checked = checkedLabels(metadata['labels']);
  for (const problem of checked.problems) fail(problem.path, problem.message);
  return checked.labels;
}

function readNode(object: Record<string, unknown>, name: string, labels: Record<string, string>): NodeInfo {
  const status = isRecord(object['status']) ? object['status'] : {};
  const ips: string[] = [];
  for (const address of Array.isArray(status['addresses']) ? (status['addresses'] as unknown[]) : []) {
    if (isRecord(address) && address['type'] === 'InternalIP') {
      const ip = canonical(address['address']);
      if (ip !== undefined) ips.push(ip);
    }
  }
  return { name, ips, ...(Object.keys(labels).length > 0 ? { labels } : {}) };
}

/** The pods, now that every ReplicaSet and Job is known; a pod's namespace exists implicitly. */
function readPods(collected: Collected): void {
  const podKeys = new Set<string>();
  for (const { object, origin } of collected.rawPods) {
    const metadata = object['metadata'] as Record<string, unknown>;
    const name = metadata['name'] as string;
    const namespace = metadata['namespace'] as string;
    const fail = (path: string, message: string): void => {
      collected.problems.push({
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
    const pod = readPod(object, namespace, name, collected, fail);
    if (pod === undefined) continue;
    podKeys.add(key);
    collected.pods.push(pod);
    if (!collected.namespaces.has(namespace))
      collected.namespaces.set(namespace, { name: namespace, labels: { [NAMESPACE_NAME_LABEL]: namespace } });
  }
}
