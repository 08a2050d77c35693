// The API's rendered-body caches are bounded in bytes (issue 14 item 9, limits.bodyCacheBytes),
// not only in entries: many distinct views (drops pages, graphs, flows pages) on the real app keep
// the cached bytes under the budget, while the same requests on the default budget hold more —
// so the bound is what limits them — and every view still answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BODY_CACHE_BYTES } from '../../src/http/analysis-options.js';
import { startSeededApp, type SeededApp } from './seeded-app.js';

const SMALL_BUDGET = 24 * 1024;

function targets(): string[] {
  const out: string[] = [];
  for (let limit = 1; limit <= 50; limit++)
    out.push(`/api/v1/flows?limit=${limit}`, `/api/v1/drops?limit=${limit}`);
  for (let maxEdges = 1; maxEdges <= 40; maxEdges++) out.push(`/api/v1/graph?maxEdges=${maxEdges}`);
  return out;
}

async function requestAll(app: SeededApp): Promise<number> {
  let peak = 0;
  for (const target of targets()) {
    const res = await fetch(app.base + target);
    expect(res.status, target).toBe(200);
    await res.arrayBuffer();
    peak = Math.max(peak, app.deps.analysis.cachedBodyBytes());
  }
  return peak;
}

describe('rendered-body caches bounded in bytes', () => {
  let small: SeededApp;
  let large: SeededApp;
  beforeAll(async () => {
    small = await startSeededApp({ bodyCacheBytes: SMALL_BUDGET, pageSizeMax: 1000 });
    large = await startSeededApp({ pageSizeMax: 1000 });
  });
  afterAll(async () => {
    await small.close();
    await large.close();
  });

  it('never hold more than the budget, and still cache within it', async () => {
    const peak = await requestAll(small);
    expect(peak).toBeLessThanOrEqual(SMALL_BUDGET);
    expect(small.deps.analysis.cachedBodyBytes()).toBeGreaterThan(0);
  });

  it('the same requests on the default budget hold more than the small one allows', async () => {
    const peak = await requestAll(large);
    expect(peak).toBeGreaterThan(SMALL_BUDGET);
    expect(peak).toBeLessThanOrEqual(DEFAULT_BODY_CACHE_BYTES);
  });
});
