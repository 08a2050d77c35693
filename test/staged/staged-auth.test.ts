// Write authorisation of shadow mode's routes, per auth mode, against the real app: token mode
// (the read token is refused with 403 on every write, the separate write token may write, both
// read), kubernetes mode (a real KubeWriteReviewer against the fake API server: the
// SubjectAccessReview asks `create networkpolicies.networking.k8s.io` in the set's namespace),
// and none (loopback: allowed), with every change logged with the identity.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon.js';
import { KubeTokenReviewer } from '../../src/http/kube-auth.js';
import { KubeWriteReviewer } from '../../src/http/kube-write-auth.js';
import { writeAuthorizer } from '../../src/http/write-auth.js';
import { startFakeReviewServer, type FakeReviewServer } from '../fakes/fake-token-review.js';
import { startSeededApp, type SeededApp } from '../http/seeded-app.js';

const READ = 'read-token-0123456789abcdef';
const WRITE = 'write-token-0123456789abcdef';
const POLICY = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny-all' },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
};

function stage(base: string, token: string | undefined, namespace = 'shop'): Promise<Response> {
  return fetch(`${base}/api/v1/staged`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ namespace, policies: [POLICY] }),
  });
}

function bearer(token: string): RequestInit {
  return { headers: { authorization: `Bearer ${token}` } };
}

describe('token mode', () => {
  let app: SeededApp;
  const audit: Record<string, unknown>[] = [];
  beforeAll(async () => {
    app = await startSeededApp({
      auth: { mode: 'token', token: READ, writeToken: WRITE },
      writeAuth: writeAuthorizer({ mode: 'token', writeToken: WRITE }),
      auditLogger: { info: (obj) => audit.push(obj as Record<string, unknown>) },
    });
  });
  afterAll(() => app.close());

  it('refuses writes with the read token (403) and without a token (401); the write token stages, promotes and retires', async () => {
    const refused = await stage(app.base, READ);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('writeTokenFile') as unknown,
    });
    expect((await stage(app.base, undefined)).status).toBe(401);
    expect((await stage(app.base, 'not-a-token-at-all-xxxxxxxx')).status).toBe(401);
    expect(app.staged.list()).toHaveLength(0);

    const created = await stage(app.base, WRITE);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    expect(app.staged.get(id)?.stagedBy).toBe('write-token');
    expect(audit.at(-1)).toMatchObject({
      action: 'stage',
      stagedSet: id,
      namespace: 'shop',
      identity: 'write-token',
    });

    // Both tokens read; only the write token is told it can write.
    const asReader = (await (await fetch(`${app.base}/api/v1/staged`, bearer(READ))).json()) as {
      items: unknown[];
      canWrite: boolean;
    };
    expect(asReader).toMatchObject({ canWrite: false });
    expect(asReader.items).toHaveLength(1);
    expect(
      ((await (await fetch(`${app.base}/api/v1/staged`, bearer(WRITE))).json()) as { canWrite: boolean })
        .canWrite,
    ).toBe(true);
    expect((await fetch(`${app.base}/api/v1/flows`, bearer(WRITE))).status).toBe(200);

    expect(
      (await fetch(`${app.base}/api/v1/staged/${id}/promote`, { method: 'POST', ...bearer(READ) })).status,
    ).toBe(403);
    expect(
      (await fetch(`${app.base}/api/v1/staged/${id}`, { method: 'DELETE', ...bearer(READ) })).status,
    ).toBe(403);
    expect(app.staged.get(id)?.status).toBe('active');
    const retired = await fetch(`${app.base}/api/v1/staged/${id}`, { method: 'DELETE', ...bearer(WRITE) });
    expect(retired.status).toBe(200);
    expect(app.staged.get(id)).toMatchObject({ status: 'retired', endedBy: 'write-token' });
    expect(audit.at(-1)).toMatchObject({ action: 'retire', stagedSet: id, identity: 'write-token' });
  });
});

describe('kubernetes mode', () => {
  let fake: FakeReviewServer;
  let app: SeededApp;
  beforeAll(async () => {
    // alice may create policies in shop only; bob only reads (the `view` role's list).
    fake = await startFakeReviewServer(
      { 'alice-token': { username: 'alice' }, 'bob-token': { username: 'bob' } },
      new Set(),
      (user, attributes) => {
        const a = attributes as { verb?: string; namespace?: string };
        if (a.verb === 'list') return user === 'alice' || user === 'bob';
        return user === 'alice' && a.verb === 'create' && a.namespace === 'shop';
      },
    );
    app = await startSeededApp({
      auth: { mode: 'kubernetes', reviewer: new KubeTokenReviewer({ kubeConfig: fake.kubeConfig }) },
      writeAuth: writeAuthorizer({
        mode: 'kubernetes',
        reviewer: new KubeWriteReviewer({ kubeConfig: fake.kubeConfig }),
      }),
    });
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  it("asks a SubjectAccessReview for create on networkpolicies in the set's namespace", async () => {
    expect((await stage(app.base, 'bob-token')).status).toBe(403);
    expect(fake.accessReviews.at(-1)).toEqual({
      user: 'bob',
      attributes: {
        verb: 'create',
        group: 'networking.k8s.io',
        resource: 'networkpolicies',
        namespace: 'shop',
      },
    });
    const other = await stage(app.base, 'alice-token', 'data');
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { message: string } }).error.message).toContain(
      'in namespace data',
    );
    const created = await stage(app.base, 'alice-token');
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    expect(app.staged.get(id)?.stagedBy).toBe('alice');
    expect(fake.accessReviews.at(-1)).toEqual({
      user: 'alice',
      attributes: {
        verb: 'create',
        group: 'networking.k8s.io',
        resource: 'networkpolicies',
        namespace: 'shop',
      },
    });
    expect((await stage(app.base, 'nobody-token')).status).toBe(401);
    const promoted = await fetch(`${app.base}/api/v1/staged/${id}/promote`, {
      method: 'POST',
      ...bearer('alice-token'),
    });
    expect(promoted.status).toBe(200);
    expect(app.staged.get(id)).toMatchObject({ status: 'promoted', endedBy: 'alice' });
  });
});

describe("auth.mode none and the daemon's write-token configuration", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'npa-staged-auth-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('none (loopback) allows writes, recorded as the loopback identity', async () => {
    const app = await startSeededApp();
    try {
      const created = await stage(app.base, undefined);
      expect(created.status).toBe(201);
      expect(((await created.json()) as { stagedBy: string }).stagedBy).toBe(
        'anonymous (auth.mode none, loopback)',
      );
    } finally {
      await app.close();
    }
  });

  it('refuses a write token equal to the read token, naming the setting', async () => {
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, READ);
    const config = path.join(dir, 'config.yaml');
    writeFileSync(
      config,
      `listen: "127.0.0.1:0"\ndb: ${JSON.stringify(path.join(dir, 'x.db'))}\nauth:\n  mode: token\n  tokenFile: ${JSON.stringify(tokenFile)}\n  writeTokenFile: ${JSON.stringify(tokenFile)}\n`,
    );
    const loaded = loadConfig({ file: config, env: {} });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    await expect(startDaemon(loaded.config, { logger: pino({ level: 'silent' }) })).rejects.toThrow(
      /^auth\.writeTokenFile: must hold a different token/,
    );
  });
});
