// `eval` with workload names where a pod is expected, and the --matrix table (issue 18 item 5),
// through the real CLI on the demo application's snapshot (demo/cluster.json) and on a small
// snapshot where two workloads share a name.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { repoRoot, runCli } from '../ingest/cli-helpers.js';
import { tempDir } from '../store/store-helpers.js';

const DEMO = path.join(repoRoot, 'demo/cluster.json');
let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('netpol-eval-targets-')));
afterAll(() => cleanup());
vi.setConfig({ testTimeout: 120_000 });

const evalJson = (...args: string[]): Record<string, unknown> => {
  const result = runCli(['eval', '--cluster', DEMO, '--json', ...args]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
};

/** Two pods of a Deployment and one of a StatefulSet, all called "web" in namespace a. */
function sharedNameSnapshot(): string {
  const pod = (name: string, ip: string, owner: Record<string, unknown>, labels: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: 'a', name, labels, ownerReferences: [{ ...owner, controller: true }] },
    spec: { containers: [{ name: 'c', image: 'c' }] },
    status: { podIP: ip, podIPs: [{ ip }] },
  });
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          namespace: 'a',
          name: 'web-5d4f',
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', controller: true }],
        },
      },
      pod(
        'web-5d4f-aaaaa',
        '10.0.0.1',
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4f' },
        { app: 'web', tier: 'front' },
      ),
      pod(
        'web-5d4f-bbbbb',
        '10.0.0.2',
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4f' },
        { app: 'web' },
      ),
      pod(
        'web-0',
        '10.0.0.3',
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web' },
        { app: 'web-db' },
      ),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { namespace: 'a', name: 'db-from-front' },
        spec: {
          podSelector: { matchLabels: { app: 'web-db' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'front' } } }] }],
        },
      },
    ],
  };
  const file = path.join(dir, 'shared-name.json');
  writeFileSync(file, JSON.stringify(list));
  return file;
}

describe('eval: workload names where a pod is expected', () => {
  it("--from shop/web resolves the Deployment's pods; the answer names the workloads", () => {
    const out = evalJson('--from', 'shop/web', '--to', 'shop/api', '--port', '8000');
    expect(out).toMatchObject({
      verdict: 'allow',
      from: 'shop/web',
      to: 'shop/api',
      pods: { pairs: 4, allowedPairs: 4 },
    });
    // The same as naming two of the pods.
    const pods = evalJson(
      '--from',
      'shop/web-6b8d7f9c5d-h4zrt',
      '--to',
      'shop/api-5f6c8d9b7-kx7tn',
      '--port',
      '8000',
    );
    expect(pods).toMatchObject({
      verdict: 'allow',
      from: 'shop/web-6b8d7f9c5d-h4zrt',
      egress: out['egress'],
      ingress: out['ingress'],
    });
    expect(pods['pods']).toBeUndefined();
  });

  it('resolves StatefulSets and CronJobs, and NAMESPACE/KIND/NAME', () => {
    expect(
      evalJson('--from', 'shop/nightly-report', '--to', 'data/postgres', '--port', '5432'),
    ).toMatchObject({ verdict: 'allow', to: 'data/postgres' });
    expect(
      evalJson('--from', 'shop/deploy/api', '--to', 'data/statefulset/postgres', '--port', '5432'),
    ).toMatchObject({ verdict: 'allow' });
    expect(
      evalJson(
        '--from',
        'shop/nightly-report',
        '--to',
        'kube-system/coredns',
        '--port',
        '53',
        '--protocol',
        'UDP',
      ),
    ).toMatchObject({ verdict: 'deny' });
  });

  it('a name two workloads share is an error listing both; a kind path picks one', () => {
    const file = sharedNameSnapshot();
    const result = runCli(['eval', '--cluster', file, '--from', 'a/web', '--to', 'a/web-0', '--port', '80']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'netpol-advisor eval: --from: a/web is ambiguous: it names a/deployment/web (2 pods), a/statefulset/web (1 pod); give one of these\n',
    );
    const picked = runCli([
      'eval',
      '--cluster',
      file,
      '--from',
      'a/deployment/web',
      '--to',
      'a/statefulset/web',
      '--port',
      '80',
    ]);
    expect(picked.status).toBe(0);
    // The two Deployment pods disagree (only one has tier=front): said, and the denied pair shown.
    expect(picked.stdout).toContain('a/web-5d4f-bbbbb -> a/web-0 TCP/80: DENY');
    expect(picked.stdout).toContain(
      'a/web (Deployment, 2 pods) -> a/web (StatefulSet, 1 pod): 2 pod pairs evaluated: PODS DISAGREE, 1 allowed and 1 denied',
    );
  });

  it('an unknown name suggests close ones; an unknown namespace says so (exit 2)', () => {
    const close = runCli([
      'eval',
      '--cluster',
      DEMO,
      '--from',
      'shop/wor',
      '--to',
      'data/postgres',
      '--port',
      '5432',
    ]);
    expect(close.status).toBe(2);
    expect(close.stderr).toBe(
      'netpol-advisor eval: --from: no pod or workload shop/wor in the cluster snapshot (did you mean shop/worker, shop/worker-6d5c9b8f7-z7k2w?)\n',
    );
    const ns = runCli([
      'eval',
      '--cluster',
      DEMO,
      '--from',
      'nowhere/web',
      '--to',
      'data/postgres',
      '--port',
      '5432',
    ]);
    expect(ns.stderr).toBe('netpol-advisor eval: --from: no namespace nowhere in the cluster snapshot\n');
  });

  it('--queries takes workload names too', () => {
    const file = path.join(dir, 'queries.json');
    writeFileSync(
      file,
      JSON.stringify([
        { from: 'shop/web', to: 'shop/api', port: 8000 },
        { from: 'shop/worker', to: 'data/postgres', port: 5432 },
      ]),
    );
    const result = runCli(['eval', '--cluster', DEMO, '--queries', file, '--json']);
    expect(result.status).toBe(0);
    expect(
      (JSON.parse(result.stdout) as { verdict: string; from: string }[]).map((d) => `${d.from} ${d.verdict}`),
    ).toEqual(['shop/web allow', 'shop/worker deny']);
  });
});

describe('eval --matrix', () => {
  it('prints an aligned table with short workload names', () => {
    const result = runCli(['eval', '--cluster', DEMO, '--matrix', '--port', '8000', '--namespace', 'shop']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        'reachability TCP/8000, rows connect to columns: . allowed, X denied, ~ some pods allowed',
        'from \\ to       web  api  redis  worker  nightly-report',
        'web             X    .    X      X       X',
        'api             X    X    X      X       X',
        'redis           X    X    X      X       X',
        'worker          X    X    X      X       X',
        'nightly-report  X    X    X      X       X',
        '',
      ].join('\n'),
    );
  });

  it('marks workloads whose pods disagree, and --json carries the workload table', () => {
    const file = sharedNameSnapshot();
    const table = runCli(['eval', '--cluster', file, '--matrix', '--port', '80']);
    expect(table.stdout.split('\n').slice(1)).toEqual([
      'from \\ to          web (Deployment)  web (StatefulSet)',
      'web (Deployment)   .                 ~',
      'web (StatefulSet)  .                 X',
      '',
    ]);
    const json = JSON.parse(
      runCli(['eval', '--cluster', file, '--matrix', '--port', '80', '--json']).stdout,
    ) as { workloads: Record<string, Record<string, string>> };
    expect(json.workloads).toEqual({
      'web (Deployment)': { 'web (Deployment)': 'allow', 'web (StatefulSet)': 'mixed' },
      'web (StatefulSet)': { 'web (Deployment)': 'allow', 'web (StatefulSet)': 'deny' },
    });
  });
});
