import { afterEach, describe, expect, it } from 'vitest';
import { LiveInventory } from '../../src/k8s/inventory.js';
import { FakeClock, waitFor } from '../fakes/fake-clock.js';
import { FakeKubeApiServer, pod } from '../fakes/fake-kube-apiserver.js';

const PODS = '/api/v1/pods';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(seed: (api: FakeKubeApiServer) => void = () => undefined) {
  const api = await new FakeKubeApiServer().start();
  cleanups.push(() => api.stop());
  seed(api);
  const clock = new FakeClock(Date.UTC(2026, 4, 1, 12));
  const inv = new LiveInventory({ kubeConfig: api.kubeConfig(), clock, random: () => 0 });
  cleanups.push(() => inv.stop());
  return { api, clock, inv };
}

function seedShop(api: FakeKubeApiServer): void {
  api.apply('/api/v1/namespaces', { metadata: { name: 'shop', labels: { team: 'a' } } });
  api.apply('/api/v1/nodes', {
    metadata: { name: 'kind-worker' },
    status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] },
  });
  api.apply('/apis/apps/v1/replicasets', {
    metadata: {
      namespace: 'shop',
      name: 'web-5d8f7c9b4',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd1', controller: true },
      ],
    },
    spec: { selector: { matchLabels: { app: 'web' } } },
  });
  api.apply(
    PODS,
    pod(
      'shop',
      'web-5d8f7c9b4-abcde',
      '10.244.1.5',
      { app: 'web' },
      { owner: { kind: 'ReplicaSet', name: 'web-5d8f7c9b4' }, startTime: '2026-05-01T11:00:00Z' },
    ),
  );
  api.apply('/api/v1/services', {
    metadata: { namespace: 'shop', name: 'web' },
    spec: {
      selector: { app: 'web' },
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    },
  });
  api.apply('/apis/networking.k8s.io/v1/networkpolicies', {
    metadata: { namespace: 'shop', name: 'default-deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });
}

describe('LiveInventory against a fake API server (list/watch through @kubernetes/client-node)', () => {
  it('lists everything into a ClusterSnapshot and is ready only after every first list', async () => {
    const { api, inv, clock } = await setup(seedShop);
    api.failNextLists(PODS, 1);
    await inv.start();
    // Every informer but the pods' (the three network-policy-api CRDs are absent here: synced, empty).
    await waitFor(
      () => inv.status().informers.filter((i) => i.synced).length === 10,
      10_000,
      'ten informers synced',
    );
    expect(inv.isReady()).toBe(false); // pods list failed: not ready
    await waitFor(() => clock.pendingSleeps > 0, 10_000, 'restart backoff');
    const pods = inv.status().informers.find((i) => i.kind === 'Pod');
    expect(pods).toMatchObject({ synced: false, errors: 1 });
    expect(clock.delays.at(-1)).toBeGreaterThanOrEqual(1000); // no tight loop
    clock.wakeAll();
    await inv.whenReady();
    expect(inv.isReady()).toBe(true);
    const snap = inv.snapshot();
    expect(snap.namespaces.map((n) => n.name)).toEqual(['shop']);
    expect(snap.pods).toHaveLength(1);
    expect(snap.pods[0]).toMatchObject({
      namespace: 'shop',
      name: 'web-5d8f7c9b4-abcde',
      ips: ['10.244.1.5'],
      labels: { app: 'web' },
      workload: { kind: 'Deployment', name: 'web' },
    });
    expect(snap.services[0]).toMatchObject({ name: 'web', clusterIPs: ['10.96.0.10'] });
    expect(snap.policies[0]?.metadata.name).toBe('default-deny');
    expect(snap.nodes[0]?.name).toBe('kind-worker');
    expect(inv.snapshot()).toBe(snap); // cached until something changes
    await waitFor(() => api.watchCount(PODS) === 1, 10_000, 'pod watch');
    expect(
      api.requests.some((r) => r.startsWith(`GET ${PODS}?`) && r.includes('allowWatchBookmarks=true')),
    ).toBe(true);
  });

  it('follows label changes, deletion and IP reuse, resolving each flow time to the pod that had the IP', async () => {
    const { api, inv, clock } = await setup(seedShop);
    await inv.start();
    await inv.whenReady();
    const ip = '10.244.1.5';
    const tListed = clock.now();
    expect(inv.podAt(ip, tListed)?.name).toBe('web-5d8f7c9b4-abcde');
    // A flow from before this process started, while the pod was already running.
    expect(inv.podAt(ip, Date.parse('2026-05-01T11:30:00Z'))?.name).toBe('web-5d8f7c9b4-abcde');

    clock.advance(1000);
    api.apply(
      PODS,
      pod(
        'shop',
        'web-5d8f7c9b4-abcde',
        ip,
        { app: 'web', version: 'v2' },
        { owner: { kind: 'ReplicaSet', name: 'web-5d8f7c9b4' } },
      ),
    );
    await waitFor(() => inv.snapshot().pods[0]?.labels['version'] === 'v2', 10_000, 'label change');
    expect(inv.podAt(ip, clock.now())?.labels['version']).toBe('v2');

    clock.advance(1000);
    const tAlive = clock.now() - 1;
    api.delete(PODS, 'shop', 'web-5d8f7c9b4-abcde');
    await waitFor(() => inv.snapshot().pods.length === 0, 10_000, 'pod deleted');
    const tDeleted = clock.now();

    clock.advance(30_000);
    api.apply(PODS, pod('shop', 'db-0', undefined, { app: 'db' }));
    clock.advance(1000);
    api.apply(PODS, pod('shop', 'db-0', ip, { app: 'db' }));
    await waitFor(
      () => inv.snapshot().pods.some((p) => p.name === 'db-0' && p.ips.includes(ip)),
      10_000,
      'IP reused',
    );
    const tReused = clock.now();

    expect(inv.podAt(ip, tAlive)?.name).toBe('web-5d8f7c9b4-abcde');
    expect(inv.podAt(ip, tAlive)?.labels['app']).toBe('web');
    expect(inv.podAt(ip, tDeleted + 10_000)).toBeUndefined(); // nobody held it
    expect(inv.podAt(ip, tReused)?.name).toBe('db-0');
    expect(inv.podAt(ip, tReused + 60_000)?.name).toBe('db-0');
  });

  it('relists after 410 Gone (ERROR event with a Status 410) and emits deletes for pods that vanished meanwhile', async () => {
    const { api, inv, clock } = await setup((a) => {
      seedShop(a);
      a.apply(PODS, pod('shop', 'batch-1', '10.244.2.9', { app: 'batch' }));
    });
    await inv.start();
    await inv.whenReady();
    expect(inv.snapshot().pods).toHaveLength(2);
    const listsBefore = api.listCount(PODS);

    api.detachWatches(); // the watch stalls; what happens next is never delivered
    api.delete(PODS, 'shop', 'batch-1');
    api.apply(PODS, pod('shop', 'batch-2', '10.244.2.10', { app: 'batch' }));
    api.compact(); // etcd history gone: resuming from the old resourceVersion is impossible
    api.expireDetached(); // the server tells the stalled watchers: ERROR event, Status code 410

    await waitFor(
      () => clock.pendingSleeps > 0 || api.listCount(PODS) > listsBefore,
      10_000,
      'relist or its delay',
    );
    clock.wakeAll();
    await waitFor(() => api.listCount(PODS) > listsBefore, 10_000, 'relist');
    await waitFor(
      () =>
        inv
          .snapshot()
          .pods.map((p) => p.name)
          .sort()
          .join() === 'batch-2,web-5d8f7c9b4-abcde',
      10_000,
      'cache after relist',
    );
    expect(inv.podAt('10.244.2.9', clock.now() + 1)).toBeUndefined();
    expect(inv.podAt('10.244.2.10', clock.now())?.name).toBe('batch-2');
    // After the relist the watch resumes from the new list's resourceVersion.
    const rewatched = () =>
      api.requests.includes(
        `GET ${PODS}?watch=true&resourceVersion=${api.resourceVersion}&allowWatchBookmarks=true`,
      );
    await waitFor(() => rewatched() || clock.pendingSleeps > 0, 10_000, 'rewatch or its delay');
    clock.wakeAll(); // client-node's own reconnect delay runs on our injected clock
    await waitFor(rewatched, 10_000, 'watch after relist');
    expect(inv.status().informers.find((i) => i.kind === 'Pod')?.errors).toBe(0); // 410 is not an error
  });

  it('resumes from a BOOKMARK resourceVersion after compaction without relisting', async () => {
    const { api, inv, clock } = await setup(seedShop);
    await inv.start();
    await inv.whenReady();
    const listsBefore = api.listCount(PODS);
    api.apply('/api/v1/services', {
      metadata: { namespace: 'shop', name: 'other' },
      spec: { clusterIPs: ['10.96.0.11'], ports: [{ port: 81, targetPort: 81, protocol: 'TCP' }] },
    });
    await waitFor(() => inv.snapshot().services.length === 2, 10_000, 'service');
    const podBookmarks = () => inv.status().informers.find((i) => i.kind === 'Pod')?.bookmarks ?? 0;
    const bookmarksBefore = podBookmarks();
    api.bookmark(); // pods' watch learns the newest resourceVersion without any pod changing
    await waitFor(() => podBookmarks() > bookmarksBefore, 10_000, 'the pod watch to take the bookmark');
    api.compact();
    const watchesBefore = api.requests.filter((r) => r.startsWith(`GET ${PODS}?`)).length;
    api.closeWatches();
    await waitFor(
      () =>
        api.requests.filter((r) => r.startsWith(`GET ${PODS}?`)).length > watchesBefore ||
        clock.pendingSleeps > 0,
      10_000,
      'rewatch',
    );
    clock.wakeAll();
    await waitFor(() => api.watchCount(PODS) === 1, 10_000, 'pod watch re-established');
    expect(api.listCount(PODS)).toBe(listsBefore);
  });
});
