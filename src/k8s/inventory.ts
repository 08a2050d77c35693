// The live cluster inventory: informers for namespaces, pods, services, endpointslices,
// networkpolicies, nodes, the network-policy-api kinds where their CRDs are installed, plus replicasets and jobs to name a pod's workload (ReplicaSet →
// Deployment, Job → CronJob). `snapshot()` returns the same ClusterSnapshot a `--cluster` file
// gives (built by src/policy/parse-objects.ts, cached, rebuilt only after a change), and `ipIndex`
// resolves an address to the pod that held it at a flow's time. Ready only once every informer
// has completed its first full list.
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  NetworkingV1Api,
} from '@kubernetes/client-node';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { parseClusterObjects } from '../policy/parse-objects.js';
import type { ClusterSnapshot, PodInfo } from '../policy/model.js';
import { EMPTY_SNAPSHOT } from '../policy/model.js';
import { silentLogger } from '../lib/logger.js';
import { systemClock } from '../lib/clock.js';
import type { BackoffOptions, RandomFn } from '../lib/backoff.js';
import type { Clock } from '../lib/clock.js';
import type { SourceLogger } from '../lib/logger.js';
import { ResilientInformer } from './informer.js';
import type { InformerEventType, InformerStatus, ResourceSpec } from './informer.js';
import { IpIndex } from './ip-index.js';
import type { IpIndexOptions } from './ip-index.js';

export interface KubeConfigSource {
  /** Path to a kubeconfig file; absent: in-cluster service account when running in a pod, else the default (~/.kube/config, $KUBECONFIG). */
  readonly kubeconfig?: string;
  readonly context?: string;
}

export function loadKubeConfig(
  source: KubeConfigSource = {},
  env: NodeJS.ProcessEnv = process.env,
): KubeConfig {
  const kc = new KubeConfig();
  if (source.kubeconfig !== undefined) kc.loadFromFile(source.kubeconfig);
  else if (env['KUBERNETES_SERVICE_HOST'] !== undefined && env['KUBECONFIG'] === undefined)
    kc.loadFromCluster();
  else kc.loadFromDefault();
  if (source.context !== undefined) kc.setCurrentContext(source.context);
  return kc;
}

export interface InventoryOptions {
  readonly kubeConfig: KubeConfig;
  readonly clock?: Clock;
  readonly random?: RandomFn;
  readonly backoff?: Partial<BackoffOptions>;
  readonly logger?: SourceLogger;
  readonly ipIndex?: IpIndexOptions;
  /** Called (synchronously, cheaply) after any change, e.g. to invalidate derived views. */
  readonly onChange?: () => void;
  /** Each informer relists after this long without an event (0: never; default DEFAULT_RELIST_AFTER_MS). */
  readonly relistAfterMs?: number;
}

export interface InventoryStatus {
  readonly ready: boolean;
  readonly informers: readonly InformerStatus[];
  /** Objects parse-objects left out of the last snapshot (invalid NetworkPolicies …). */
  readonly problems: number;
  readonly indexedIps: number;
}

/** Resources that go into the snapshot (of the EndpointSlices, only default/kubernetes is kept: the API server). */
const SNAPSHOT_KINDS = new Set([
  'Namespace',
  'Pod',
  'Service',
  'NetworkPolicy',
  'Node',
  'ReplicaSet',
  'Job',
  'EndpointSlice',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
  'ClusterNetworkPolicy',
]);

/** Cluster-scoped policy of network-policy-api: watched when its CRD is installed (absent is no error). */
export const CLUSTER_POLICY_RESOURCES = [
  { kind: 'AdminNetworkPolicy', version: 'v1alpha1', plural: 'adminnetworkpolicies' },
  { kind: 'BaselineAdminNetworkPolicy', version: 'v1alpha1', plural: 'baselineadminnetworkpolicies' },
  { kind: 'ClusterNetworkPolicy', version: 'v1alpha2', plural: 'clusternetworkpolicies' },
] as const;

function listOf<T extends KubernetesObject>(
  p: Promise<KubernetesListObject<T>>,
): Promise<KubernetesListObject<KubernetesObject>> {
  return p;
}

export function resourceSpecs(kc: KubeConfig): ResourceSpec[] {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return [
    {
      path: '/api/v1/namespaces',
      apiVersion: 'v1',
      kind: 'Namespace',
      list: () => listOf(core.listNamespace()),
    },
    { path: '/api/v1/nodes', apiVersion: 'v1', kind: 'Node', list: () => listOf(core.listNode()) },
    {
      path: '/api/v1/pods',
      apiVersion: 'v1',
      kind: 'Pod',
      list: () => listOf(core.listPodForAllNamespaces()),
    },
    {
      path: '/api/v1/services',
      apiVersion: 'v1',
      kind: 'Service',
      list: () => listOf(core.listServiceForAllNamespaces()),
    },
    {
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      list: () => listOf(discovery.listEndpointSliceForAllNamespaces()),
    },
    {
      path: '/apis/networking.k8s.io/v1/networkpolicies',
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      list: () => listOf(networking.listNetworkPolicyForAllNamespaces()),
    },
    {
      path: '/apis/apps/v1/replicasets',
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      list: () => listOf(apps.listReplicaSetForAllNamespaces()),
    },
    {
      path: '/apis/batch/v1/jobs',
      apiVersion: 'batch/v1',
      kind: 'Job',
      list: () => listOf(batch.listJobForAllNamespaces()),
    },
    ...CLUSTER_POLICY_RESOURCES.map(({ kind, version, plural }): ResourceSpec => ({
      path: `/apis/policy.networking.k8s.io/${version}/${plural}`,
      apiVersion: `policy.networking.k8s.io/${version}`,
      kind,
      optional: true,
      list: async () =>
        (await custom.listClusterCustomObject({
          group: 'policy.networking.k8s.io',
          version,
          plural,
        })) as KubernetesListObject<KubernetesObject>,
    })),
  ];
}

export class LiveInventory {
  readonly ipIndex: IpIndex;
  private readonly informers: ResilientInformer[];
  private readonly clock: Clock;
  private readonly logger: SourceLogger;
  private readonly onChange: (() => void) | undefined;
  private cached: ClusterSnapshot = EMPTY_SNAPSHOT;
  private dirty = true;
  private problems = 0;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(options: InventoryOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.onChange = options.onChange;
    this.ipIndex = new IpIndex(options.ipIndex);
    this.informers = resourceSpecs(options.kubeConfig).map(
      (spec) =>
        new ResilientInformer(options.kubeConfig, spec, {
          clock: this.clock,
          logger: this.logger,
          ...(options.random === undefined ? {} : { random: options.random }),
          ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
          ...(options.relistAfterMs === undefined ? {} : { relistAfterMs: options.relistAfterMs }),
          onEvent: (type, obj) => this.onEvent(spec.kind, type, obj),
          onList: (items) => this.onList(spec.kind, items),
        }),
    );
  }

  /** Starts every informer; resolves immediately (use whenReady() for the first full list). */
  async start(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.start()));
    this.pruneTimer = setInterval(() => this.ipIndex.prune(this.clock.now()), 60_000);
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.pruneTimer !== undefined) clearInterval(this.pruneTimer);
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  isReady(): boolean {
    return this.informers.every((i) => i.isSynced);
  }

  async whenReady(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.whenSynced()));
  }

  status(): InventoryStatus {
    return {
      ready: this.isReady(),
      informers: this.informers.map((i) => i.status()),
      problems: this.problems,
      indexedIps: this.ipIndex.size,
    };
  }

  /** A consistent snapshot of the cluster as last seen; rebuilt only after a change. */
  snapshot(): ClusterSnapshot {
    if (this.dirty) {
      const objects: KubernetesObject[] = [];
      for (const informer of this.informers)
        if (SNAPSHOT_KINDS.has(informer.spec.kind)) objects.push(...informer.list());
      const result = parseClusterObjects(objects);
      this.cached = result.snapshot;
      this.problems = result.problems.length;
      this.dirty = false;
    }
    return this.cached;
  }

  /** The pod that held ip at timeMs (a flow's time), if known. */
  podAt(ip: string, timeMs: number): PodInfo | undefined {
    return this.ipIndex.resolve(ip, timeMs);
  }

  private changed(): void {
    this.dirty = true;
    this.onChange?.();
  }

  private onList(kind: string, items: readonly KubernetesObject[]): void {
    if (kind === 'Pod') {
      const now = this.clock.now();
      for (const item of items) {
        const pod = toPodInfo(item);
        if (pod !== undefined) this.ipIndex.upsert(pod, now, startedAtMs(item, now));
      }
    }
    this.changed();
  }

  private onEvent(kind: string, type: InformerEventType, obj: KubernetesObject): void {
    if (kind === 'Pod') {
      const now = this.clock.now();
      const ns = obj.metadata?.namespace ?? '';
      const name = obj.metadata?.name ?? '';
      if (type === 'delete') this.ipIndex.remove(ns, name, now);
      else {
        const pod = toPodInfo(obj);
        if (pod !== undefined) this.ipIndex.upsert(pod, now, type === 'add' ? startedAtMs(obj, now) : now);
      }
    }
    this.changed();
  }
}

/** One pod through the same converter as the snapshot (workload named from its owner reference). */
function toPodInfo(obj: KubernetesObject): PodInfo | undefined {
  return parseClusterObjects([obj]).snapshot.pods[0];
}

/** When the pod could first have used its IP: its start (or creation) time, never after now. */
function startedAtMs(obj: KubernetesObject, nowMs: number): number {
  const status = (obj as { status?: { startTime?: unknown } }).status;
  const candidates = [status?.startTime, obj.metadata?.creationTimestamp];
  for (const c of candidates) {
    const ms = c instanceof Date ? c.getTime() : typeof c === 'string' ? Date.parse(c) : Number.NaN;
    if (Number.isFinite(ms)) return Math.min(ms, nowMs);
  }
  return nowMs;
}
