// Access control on the real app: a static token (none/wrong → 401, right → 200, probes and the
// dashboard shell anonymous) and auth.mode kubernetes through the real client-node TokenReview and
// SubjectAccessReview calls against a fake API server (allowed → 200, denied → 403, unknown →
// 401, cached, API server down → 503).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeTokenReviewer, REQUIRED_ACCESS } from '../../src/http/kube-auth.js';
import { startFakeReviewServer, type FakeReviewServer } from '../fakes/fake-token-review.js';
import { startSeededApp, type SeededApp } from './seeded-app.js';

const TOKEN = 'a-static-token-0123456789';

describe('auth.mode token', () => {
  let app: SeededApp;
  beforeAll(async () => {
    app = await startSeededApp({ auth: { mode: 'token', token: TOKEN } });
  });
  afterAll(async () => {
    await app.close();
  });

  it('no token → 401 with WWW-Authenticate, wrong → 401, right → 200', async () => {
    const none = await fetch(`${app.base}/api/v1/namespaces`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(await none.json()).toEqual({
      error: { code: 'unauthorized', message: expect.any(String) as unknown },
    });
    const wrong = await fetch(`${app.base}/api/v1/namespaces`, {
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${app.base}/api/v1/namespaces`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(right.status).toBe(200);
    const metrics = await fetch(`${app.base}/metrics`);
    expect(metrics.status).toBe(401);
  });

  it('probes stay anonymous', async () => {
    expect((await fetch(`${app.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${app.base}/readyz`)).status).toBe(200);
  });
});

describe('auth.mode kubernetes (TokenReview + SubjectAccessReview)', () => {
  let fake: FakeReviewServer;
  let app: SeededApp;
  let reviewer: KubeTokenReviewer;
  let now = 1_000_000;

  beforeAll(async () => {
    fake = await startFakeReviewServer(
      { 'alice-token': { username: 'alice', groups: ['devs'] }, 'bob-token': { username: 'bob' } },
      new Set(['alice']),
    );
    reviewer = new KubeTokenReviewer({
      kubeConfig: fake.kubeConfig,
      positiveTtlMs: 60_000,
      negativeTtlMs: 10_000,
      now: () => now,
    });
    app = await startSeededApp({ auth: { mode: 'kubernetes', reviewer } });
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  const as = (token: string) =>
    fetch(`${app.base}/api/v1/flows`, { headers: { authorization: `Bearer ${token}` } });

  it('allowed user → 200; the SubjectAccessReview asks for the documented access', async () => {
    expect((await as('alice-token')).status).toBe(200);
    expect(fake.accessReviews.at(-1)).toEqual({ user: 'alice', attributes: { ...REQUIRED_ACCESS } });
  });

  it('authenticated but not authorised → 403; unknown token → 401; no token → 401', async () => {
    const bob = await as('bob-token');
    expect(bob.status).toBe(403);
    expect(((await bob.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await as('mallory-token')).status).toBe(401);
    expect((await fetch(`${app.base}/api/v1/flows`)).status).toBe(401);
  });

  it('caches answers briefly: positive for its TTL, negative for a shorter one', async () => {
    const before = reviewer.reviews;
    await as('alice-token');
    await as('bob-token');
    expect(reviewer.reviews).toBe(before);
    now += 11_000;
    await as('alice-token');
    await as('bob-token');
    expect(reviewer.reviews).toBe(before + 1);
    now += 60_000;
    await as('alice-token');
    expect(reviewer.reviews).toBe(before + 2);
  });

  it('the API server unreachable → 503, not cached: once it is back the same token is reviewed', async () => {
    const { port } = fake;
    await fake.close();
    const down = new KubeTokenReviewer({ kubeConfig: fake.kubeConfig, now: () => now });
    await expect(down.review('carol-token')).rejects.toThrow(/ECONNREFUSED|fetch failed/);
    const before = reviewer.reviews;
    expect((await as('carol-token')).status).toBe(503);
    expect(reviewer.reviews).toBe(before + 1);

    fake = await startFakeReviewServer(
      { 'carol-token': { username: 'carol' } },
      new Set(['carol']),
      undefined,
      port,
    );
    // Had the failure been cached, neither reviewer would ask the server again.
    expect((await as('carol-token')).status).toBe(200);
    expect(reviewer.reviews).toBe(before + 2);
    await expect(down.review('carol-token')).resolves.toBe('allowed');
    expect(fake.tokenReviews).toEqual(['carol-token', 'carol-token']);
  });
});
