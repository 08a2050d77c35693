// A fake Kubernetes API server speaking the real list/watch HTTP protocol, for driving
// @kubernetes/client-node itself (a KubeConfig pointing here; no mocked client):
//  - GET <collection>            → a List with metadata.resourceVersion
//  - GET <collection>?watch=true&resourceVersion=N[&allowWatchBookmarks=true]
//                                → newline-delimited watch events after N (ADDED/MODIFIED/DELETED,
//                                  BOOKMARK when allowed), then held open for new events;
//                                  N older than the compaction point → an ERROR event carrying a
//                                  Status with code 410 (Expired), as the real server sends.
// One resourceVersion counter for all collections, as with etcd.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> };

interface Collection {
  readonly kind: string;
  readonly apiVersion: string;
  readonly objects: Map<string, Obj>;
  readonly events: { type: string; object: Obj; rv: number }[];
}

export const COLLECTIONS: Record<string, { kind: string; apiVersion: string }> = {
  '/api/v1/namespaces': { kind: 'Namespace', apiVersion: 'v1' },
  '/api/v1/nodes': { kind: 'Node', apiVersion: 'v1' },
  '/api/v1/pods': { kind: 'Pod', apiVersion: 'v1' },
  '/api/v1/services': { kind: 'Service', apiVersion: 'v1' },
  '/apis/discovery.k8s.io/v1/endpointslices': { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1' },
  '/apis/networking.k8s.io/v1/networkpolicies': { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
  '/apis/apps/v1/replicasets': { kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  '/apis/batch/v1/jobs': { kind: 'Job', apiVersion: 'batch/v1' },
};

interface Watcher {
  readonly path: string;
  readonly res: http.ServerResponse;
  readonly bookmarks: boolean;
}

export class FakeKubeApiServer {
  private rv = 100;
  /** Watches from a resourceVersion below this get 410 Gone. */
  private compactedRv = 0;
  private readonly collections = new Map<string, Collection>();
  private readonly watchers = new Set<Watcher>();
  private server: http.Server | undefined;
  /** Every request as `GET /path?query`, in order. */
  readonly requests: string[] = [];
  /** Paths whose next N list requests fail with 500. */
  private readonly failLists = new Map<string, number>();
  port = 0;

  /** `extra`: more collections to serve (e.g. a CRD's), beside COLLECTIONS; others answer 404. */
  constructor(extra: Record<string, { kind: string; apiVersion: string }> = {}) {
    for (const [path, meta] of Object.entries({ ...COLLECTIONS, ...extra }))
      this.collections.set(path, { ...meta, objects: new Map(), events: [] });
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const w of [...this.watchers, ...this.detached]) w.res.destroy();
    this.watchers.clear();
    this.detached = [];
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${this.port}`, skipTLSVerify: true }],
      users: [{ name: 'fake', token: 'test-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
      currentContext: 'fake',
    });
    return kc;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  watchCount(path?: string): number {
    return [...this.watchers].filter((w) => path === undefined || w.path === path).length;
  }

  listCount(path: string): number {
    return this.requests.filter((r) => r.startsWith(`GET ${path}`) && !r.includes('watch=')).length;
  }

  failNextLists(path: string, n: number): void {
    this.failLists.set(path, n);
  }

  /** Creates or replaces an object (ADDED or MODIFIED). */
  apply(path: string, object: Record<string, unknown>): void {
    const c = this.col(path);
    const metadata = { ...(object['metadata'] as Record<string, unknown>) };
    const key = `${typeof metadata['namespace'] === 'string' ? metadata['namespace'] : ''}/${typeof metadata['name'] === 'string' ? metadata['name'] : ''}`;
    const type = c.objects.has(key) ? 'MODIFIED' : 'ADDED';
    this.rv += 1;
    metadata['resourceVersion'] = String(this.rv);
    metadata['uid'] ??= `uid-${key}`;
    metadata['creationTimestamp'] ??= new Date(0).toISOString();
    const obj: Obj = { apiVersion: c.apiVersion, kind: c.kind, ...object, metadata };
    c.objects.set(key, obj);
    this.record(path, type, obj);
  }

  delete(path: string, namespace: string, name: string): void {
    const c = this.col(path);
    const key = `${namespace}/${name}`;
    const obj = c.objects.get(key);
    if (obj === undefined) return;
    c.objects.delete(key);
    this.rv += 1;
    this.record(path, 'DELETED', { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } });
  }

  /** Sends a BOOKMARK at the current resourceVersion to every watcher that asked for them. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      const c = this.col(w.path);
      w.res.write(
        `${JSON.stringify({ type: 'BOOKMARK', object: { kind: c.kind, apiVersion: c.apiVersion, metadata: { resourceVersion: String(this.rv) } } })}\n`,
      );
    }
  }

  /** Forgets history up to now: a watch resuming from an older resourceVersion gets 410. */
  compact(): void {
    this.compactedRv = this.rv;
    for (const c of this.collections.values()) c.events.length = 0;
  }

  /** Ends every open watch cleanly (the server-side watch timeout). */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  private detached: Watcher[] = [];

  /** Silently stops delivering to the open watches (a stalled stream); they stay open. */
  detachWatches(): void {
    this.detached.push(...this.watchers);
    this.watchers.clear();
  }

  /** Ends the stalled watches: clients reconnect from the resourceVersion they last saw. */
  endDetached(): void {
    for (const w of this.detached.splice(0)) w.res.end();
  }

  /** Ends the stalled watches the way the API server does when their history expired: an ERROR event with a 410 Status. */
  expireDetached(): void {
    for (const w of this.detached.splice(0))
      w.res.end(`${JSON.stringify({ type: 'ERROR', object: gone(0, this.compactedRv) })}\n`);
  }

  private col(path: string): Collection {
    const c = this.collections.get(path);
    if (c === undefined) throw new Error(`unknown collection ${path}`);
    return c;
  }

  private record(path: string, type: string, object: Obj): void {
    const c = this.col(path);
    c.events.push({ type, object, rv: this.rv });
    for (const w of this.watchers) if (w.path === path) w.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(`${req.method ?? 'GET'} ${url.pathname}${url.search}`);
    const c = this.collections.get(url.pathname);
    if (req.method !== 'GET' || c === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
        }),
      );
      return;
    }
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') return this.watch(url, c, res);
    const failures = this.failLists.get(url.pathname) ?? 0;
    if (failures > 0) {
      this.failLists.set(url.pathname, failures - 1);
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message: 'etcd unavailable',
          code: 500,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: `${c.kind}List`,
        apiVersion: c.apiVersion,
        metadata: { resourceVersion: String(this.rv) },
        items: [...c.objects.values()],
      }),
    );
  }

  private watch(url: URL, c: Collection, res: http.ServerResponse): void {
    const from = Number(url.searchParams.get('resourceVersion') ?? '0');
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    if (from < this.compactedRv) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: gone(from, this.compactedRv) })}\n`);
      return;
    }
    for (const e of c.events)
      if (e.rv > from) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    const watcher: Watcher = {
      path: url.pathname,
      res,
      bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
    };
    this.watchers.add(watcher);
    res.on('close', () => this.watchers.delete(watcher));
  }
}

function gone(from: number, compacted: number): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `too old resource version: ${from} (${compacted})`,
    reason: 'Expired',
    code: 410,
  };
}

export function pod(
  namespace: string,
  name: string,
  ip: string | undefined,
  labels: Record<string, string>,
  extra: { owner?: { kind: string; name: string }; startTime?: string } = {},
): Record<string, unknown> {
  return {
    metadata: {
      namespace,
      name,
      labels,
      ...(extra.owner === undefined
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: extra.owner.kind,
                name: extra.owner.name,
                uid: `uid-${extra.owner.name}`,
                controller: true,
              },
            ],
          }),
    },
    spec: {
      nodeName: 'kind-worker',
      containers: [
        { name: 'app', image: 'app:1', ports: [{ containerPort: 8080, protocol: 'TCP', name: 'http' }] },
      ],
    },
    status: {
      phase: ip === undefined ? 'Pending' : 'Running',
      ...(ip === undefined ? {} : { podIP: ip, podIPs: [{ ip }] }),
      ...(extra.startTime === undefined ? {} : { startTime: extra.startTime }),
    },
  };
}
