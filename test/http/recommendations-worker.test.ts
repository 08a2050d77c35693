// A namespace's recommendation is computed in the analysis worker (issue 22 item 4: seconds of
// work at cluster scale stay off the event loop), and the worker's answer is the one the main
// thread computes: the same app over the same flows, with and without the worker, serves the
// same bodies for every flavor, and only the worker app posts jobs for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeededApp, type SeededApp } from './seeded-app.js';

let inWorker: SeededApp;
let inline: SeededApp;
beforeAll(async () => {
  inWorker = await startSeededApp({ worker: true });
  inline = await startSeededApp({});
});
afterAll(async () => {
  await inWorker.close();
  await inline.close();
});

async function body(app: SeededApp, route: string): Promise<unknown> {
  const res = await fetch(app.base + route);
  expect(res.status, route).toBe(200);
  return res.json();
}

describe('recommendations in the analysis worker', () => {
  it.each(['k8s', 'cilium', 'calico'])('the %s view is the one the main thread computes', async (flavor) => {
    const worker = inWorker.deps.analysis.worker;
    if (worker === undefined) throw new Error('the app has no analysis worker');
    const jobs = worker.jobs;
    for (const route of [
      `/api/v1/recommendations?namespace=shop&flavor=${flavor}`,
      `/api/v1/recommendations/summary?namespace=shop&flavor=${flavor}`,
    ]) {
      const fromWorker = await body(inWorker, route);
      expect(JSON.stringify(fromWorker)).toContain('"policies"');
      expect(fromWorker).toEqual(await body(inline, route));
    }
    // One job per flavor: the summary reuses the full view of the same version.
    expect(worker.jobs).toBe(jobs + 1);
    expect(inline.deps.analysis.worker).toBeUndefined();
  });
});
