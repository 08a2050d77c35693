// The command line's front door and its two housekeeping commands (issue 18 items 6-8), through
// the real CLI: --version, --help (every command with a one-line description), `snapshot`
// against the fake kube API server through a kubeconfig, and `backup` of a database another
// connection is writing to.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadClusterSnapshot } from '../../src/k8s/snapshot-file.js';
import { openStore } from '../../src/store/store.js';
import { FakeKubeApiServer, pod } from '../fakes/fake-kube-apiserver.js';
import { runCli, repoRoot } from '../ingest/cli-helpers.js';
import { deltas, flow, pod as endpoint, tempDir } from '../store/store-helpers.js';
import { runCliAsync } from './run-async.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('netpol-cli-')));
afterAll(() => cleanup());
vi.setConfig({ testTimeout: 120_000 });

describe('netpol-advisor --version and --help', () => {
  it('--version prints the package version', () => {
    const version = (
      JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
    ).version;
    const result = runCli(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`netpol-advisor ${version}\n`);
  });

  it('--help lists every command with a one-line description, in plain words', () => {
    const result = runCli(['--help']);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    for (const command of [
      'serve',
      'ingest',
      'flows',
      'recommend',
      'simulate',
      'drops',
      'doctor',
      'eval',
      'snapshot',
      'backup',
    ]) {
      const line = lines.find((l) => l.startsWith(`  ${command} `));
      expect(line, command).toMatch(new RegExp(`^  ${command} +\\S.{15,}$`));
      // Each command's own --help works.
      expect(runCli([command, '--help']).status, command).toBe(0);
    }
    // No internal vocabulary in the overview.
    expect(result.stdout).not.toMatch(/\b(edges?|store|daemon|sink|pipeline)\b/i);
  });

  it('no command: usage on stderr, exit 2', () => {
    const result = runCli([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('commands:');
  });
});

describe('netpol-advisor snapshot', () => {
  let api: FakeKubeApiServer;
  let kubeconfig: string;
  beforeAll(async () => {
    api = await new FakeKubeApiServer().start();
    api.apply('/api/v1/namespaces', {
      metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } },
    });
    api.apply('/api/v1/nodes', { metadata: { name: 'kind-worker' }, spec: { podCIDR: '10.244.1.0/24' } });
    api.apply('/apis/apps/v1/replicasets', {
      metadata: {
        namespace: 'shop',
        name: 'web-6b8d7f9c5d',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true },
        ],
      },
    });
    api.apply(
      '/api/v1/pods',
      pod(
        'shop',
        'web-6b8d7f9c5d-h4zrt',
        '10.244.1.31',
        { app: 'web' },
        { owner: { kind: 'ReplicaSet', name: 'web-6b8d7f9c5d' } },
      ),
    );
    api.apply(
      '/api/v1/pods',
      pod(
        'shop',
        'api-5f6c8d9b7-kx7tn',
        '10.244.1.44',
        { app: 'api' },
        { owner: { kind: 'ReplicaSet', name: 'api-5f6c8d9b7' } },
      ),
    );
    api.apply('/api/v1/services', {
      metadata: { namespace: 'shop', name: 'api' },
      spec: {
        clusterIP: '10.96.14.20',
        selector: { app: 'api' },
        ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }],
      },
    });
    api.apply('/apis/networking.k8s.io/v1/networkpolicies', {
      metadata: { namespace: 'shop', name: 'api-from-web' },
      spec: {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }],
      },
    });
    kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: fake',
        'clusters:',
        `- name: fake`,
        `  cluster: { server: "http://127.0.0.1:${api.port}", insecure-skip-tls-verify: true }`,
        'users:',
        '- name: fake',
        '  user: { token: test-token }',
        'contexts:',
        '- name: fake',
        '  context: { cluster: fake, user: fake }',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => api.stop());

  it('writes every kind the tools read, which --cluster loads and eval decides on', async () => {
    const out = path.join(dir, 'cluster.json');
    const result = await runCliAsync(['snapshot', '--kubeconfig', kubeconfig, '--out', out]);
    expect(result.stderr).toMatch(
      /^netpol-advisor snapshot: .*cluster\.json: 1 namespaces, 1 nodes, 2 pods, 1 services, 1 networkpolicies\.networking\.k8s\.io, 1 replicasets\.apps, 0 jobs\.batch \(context fake\)\n$/,
    );
    expect(result.status).toBe(0);
    for (const collection of [
      '/api/v1/namespaces',
      '/api/v1/nodes',
      '/api/v1/pods',
      '/api/v1/services',
      '/apis/networking.k8s.io/v1/networkpolicies',
      '/apis/apps/v1/replicasets',
      '/apis/batch/v1/jobs',
    ]) {
      expect(
        api.requests.some((r) => r.startsWith(`GET ${collection}?`) && r.includes('limit=500')),
        collection,
      ).toBe(true);
    }
    // The CNI policy kinds are asked for; the fake has no such CRDs (404), which is not an error.
    expect(api.requests.some((r) => r.startsWith('GET /apis/cilium.io/v2/ciliumnetworkpolicies'))).toBe(true);
    const loaded = await loadClusterSnapshot([out]);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(
      loaded.snapshot.pods
        .map((p) => `${p.namespace}/${p.name} ${p.workload.kind}/${p.workload.name}`)
        .sort(),
    ).toEqual(['shop/api-5f6c8d9b7-kx7tn Deployment/api', 'shop/web-6b8d7f9c5d-h4zrt Deployment/web']);
    expect(loaded.snapshot.policies.map((p) => p.metadata.name)).toEqual(['api-from-web']);
    const decision = runCli([
      'eval',
      '--cluster',
      out,
      '--from',
      'shop/web-6b8d7f9c5d-h4zrt',
      '--to',
      'shop/api-5f6c8d9b7-kx7tn',
      '--port',
      '8080',
      '--json',
    ]);
    expect(decision.status).toBe(0);
    expect(JSON.parse(decision.stdout)).toMatchObject({ verdict: 'allow' });
  });

  it('-o yaml writes the same objects as YAML', async () => {
    const json = path.join(dir, 'cluster-2.json');
    const yaml = path.join(dir, 'cluster.yaml');
    expect((await runCliAsync(['snapshot', '--kubeconfig', kubeconfig, '--out', json])).status).toBe(0);
    expect(
      (await runCliAsync(['snapshot', '--kubeconfig', kubeconfig, '-o', 'yaml', '--out', yaml])).status,
    ).toBe(0);
    const [a, b] = await Promise.all([loadClusterSnapshot([json]), loadClusterSnapshot([yaml])]);
    expect(b).toEqual(a);
  });

  it('a failing API server: exit 1 naming the kind, and no file written', async () => {
    api.failNextLists('/api/v1/pods', 1);
    const out = path.join(dir, 'never.json');
    const result = await runCliAsync(['snapshot', '--kubeconfig', kubeconfig, '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `netpol-advisor snapshot: listing pods from http://127.0.0.1:${api.port} failed: HTTP 500\n`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('a kubeconfig that cannot be read: exit 2', async () => {
    const result = await runCliAsync([
      'snapshot',
      '--kubeconfig',
      path.join(dir, 'nope'),
      '--out',
      path.join(dir, 'x.json'),
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^netpol-advisor snapshot: cannot load the kubeconfig .*nope: /);
  });
});

describe('netpol-advisor backup', () => {
  it('copies what a live writer committed, which a plain file copy misses', () => {
    const db = path.join(dir, 'live.db');
    const store = openStore(db);
    try {
      for (let i = 0; i < 50; i++) {
        store.writeBatch({
          deltas: deltas(
            flow(endpoint('shop', `web-${i}`), endpoint('shop', 'api'), { timeMs: 1_700_000_000_000 + i }),
          ),
          accepted: 1,
          rejectedByReason: {},
        });
      }
      const live = store.totals();
      // The writer keeps its connection open: the data is in the WAL, not (yet) in the main file.
      const copied = path.join(dir, 'copied.db');
      copyFileSync(db, copied);
      const stale = openStore(copied);
      expect(stale.totals().edges).toBeLessThan(live.edges);
      stale.close();

      const out = path.join(dir, 'backup.db');
      const result = runCli(['backup', '--db', db, out]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^backed up .*live\.db to .*backup\.db \(\d+ pages, \d+ bytes\)\n$/);
      const backup = openStore(out, { mustExist: true });
      expect(backup.totals()).toEqual(live);
      backup.close();
    } finally {
      store.close();
    }
  });

  it('refuses an existing OUT, a missing database and OUT = the database (exit 2)', () => {
    const db = path.join(dir, 'small.db');
    openStore(db).close();
    const exists = path.join(dir, 'exists.db');
    writeFileSync(exists, 'keep me');
    expect(runCli(['backup', '--db', db, exists])).toMatchObject({
      status: 2,
      stderr: `netpol-advisor backup: ${exists} already exists; remove it or choose another name\n`,
    });
    expect(readFileSync(exists, 'utf8')).toBe('keep me');
    expect(runCli(['backup', '--db', path.join(dir, 'none.db'), path.join(dir, 'b.db')]).status).toBe(2);
    expect(runCli(['backup', '--db', db]).status).toBe(2);
  });
});
