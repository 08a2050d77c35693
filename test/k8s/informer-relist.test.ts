// Informers relist after a configurable silence (issue 14 item 8): a watch that stalls without
// closing (the fake API server stops delivering to it) hides changes until the silence timer
// forces a relist through client-node's 410 path; an informer that is not silent is left alone.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ResilientInformer } from '../../src/k8s/informer.js';
import { resourceSpecs } from '../../src/k8s/inventory.js';
import { FakeClock, waitFor } from '../fakes/fake-clock.js';
import { FakeKubeApiServer, pod } from '../fakes/fake-kube-apiserver.js';

const PODS = '/api/v1/pods';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const names = (items: readonly KubernetesObject[]): string[] =>
  items.map((o) => o.metadata?.name ?? '').sort();

describe('ResilientInformer relist after silence', () => {
  it('a stalled watch: changes it never delivered appear after relistAfterMs, with add and delete events', async () => {
    const api = await new FakeKubeApiServer().start();
    cleanups.push(() => api.stop());
    api.apply(PODS, pod('shop', 'web-1', '10.244.1.5', { app: 'web' }));
    api.apply(PODS, pod('shop', 'web-2', '10.244.1.6', { app: 'web' }));
    const kc = api.kubeConfig();
    const spec = resourceSpecs(kc).find((s) => s.path === PODS);
    if (spec === undefined) throw new Error('no pods spec');
    const clock = new FakeClock();
    const events: string[] = [];
    const informer = new ResilientInformer(kc, spec, {
      clock,
      relistAfterMs: 60_000,
      onEvent: (type, obj) => events.push(`${type} ${obj.metadata?.name ?? ''}`),
    });
    cleanups.push(() => informer.stop());
    await informer.start();
    await informer.whenSynced();
    await waitFor(() => api.watchCount(PODS) === 1, 10_000, 'the watch');
    expect(names(informer.list())).toEqual(['web-1', 'web-2']);

    // A change the watch delivers: not silent, so the first tick does not relist.
    api.apply(PODS, pod('shop', 'web-3', '10.244.1.7', { app: 'web' }));
    await waitFor(() => informer.list().length === 3, 10_000, 'web-3 by watch');
    await waitFor(() => clock.pendingSleeps === 1, 10_000, 'the silence timer');
    clock.wakeAll();
    await waitFor(() => clock.pendingSleeps === 1, 10_000, 'the timer rearmed');
    expect(informer.status()).toMatchObject({ lists: 1, silentRelists: 0 });

    // The watch stalls: these changes are never sent on it.
    api.detachWatches();
    api.apply(PODS, pod('shop', 'web-4', '10.244.1.8', { app: 'web' }));
    api.delete(PODS, 'shop', 'web-1');
    events.length = 0;
    clock.wakeAll();
    await waitFor(() => informer.status().lists === 2, 10_000, 'the relist');
    await waitFor(() => names(informer.list()).join() === 'web-2,web-3,web-4', 10_000, 'the relisted cache');
    expect(informer.status()).toMatchObject({ silentRelists: 1, errors: 0, restarts: 0 });
    expect(events).toEqual(expect.arrayContaining(['delete web-1', 'add web-4']));
    // And it watches again from the list: a later change arrives by watch.
    await waitFor(() => api.watchCount(PODS) === 1, 10_000, 'the new watch');
    api.apply(PODS, pod('shop', 'web-5', '10.244.1.9', { app: 'web' }));
    await waitFor(() => informer.list().length === 4, 10_000, 'web-5 by watch');
    expect(informer.status().lists).toBe(2);
  });
});
