// The `recommend` and `simulate` commands spawned for real on a store filled by `ingest`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(repoRoot, 'test/fixtures/recommend');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('recommend and simulate commands', () => {
  let dir = '';
  let db = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netpol-recommend-cli-'));
    db = path.join(dir, 'flows.db');
    const ingest = cli([
      'ingest',
      '--format',
      'hubble',
      '--db',
      db,
      path.join(fixtures, 'shop-hubble.jsonl'),
    ]);
    expect(ingest.stderr).toBe('');
    expect(ingest.status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints proven, annotated policies as multi-document YAML', () => {
    const run = cli(['recommend', '--db', db]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^replayed \d+ observed flows: \d+ allowed, 0 dropped/);
    const docs = parseAllDocuments(run.stdout);
    const objects = (Array.isArray(docs) ? docs : []).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string } },
    );
    expect(objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'data/allow-ingress-postgres',
      'data/allow-dns-egress',
      'data/default-deny',
      'shop/allow-egress-api',
      'shop/allow-ingress-redis',
      'shop/allow-dns-egress',
      'shop/default-deny',
    ]);
    expect(run.stdout).toMatch(/# from shop\/api \(Deployment\) on TCP\/5432: 30 connections/);
  });

  it('writes a folder with a reason from --reasons, verify.sh and a kustomization', () => {
    const out = path.join(dir, 'out');
    const reasons = path.join(dir, 'reasons.yaml');
    writeFileSync(reasons, '- from: shop/api\n  to: data/postgres\n  reason: "orders: stored in postgres"\n');
    const run = cli([
      'recommend',
      '--db',
      db,
      '--cluster',
      path.join(fixtures, 'shop-cluster.json'),
      '--out',
      out,
      '--reasons',
      reasons,
    ]);
    expect(run.stderr).toMatch(/replayed/);
    expect(run.status).toBe(0);
    expect(parse(readFileSync(path.join(out, 'kustomization.yaml'), 'utf8'))).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['data.yaml', 'shop.yaml'],
    });
    expect(readFileSync(path.join(out, 'data.yaml'), 'utf8')).toContain(
      'netpol-advisor.io/reason: "orders: stored in postgres"',
    );
    const readme = readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(readme).toContain('- already covered by existing policies: 1; newly allowed: 5');
    expect(readme).toMatch(/reachable before: \d+ of \d+; after: \d+ of \d+/);
    expect(readme).toContain('- shop/legacy-metrics ingress rule 0 admitted no observed connection');
    expect(spawnSync('sh', ['-n', path.join(out, 'verify.sh')]).status).toBe(0);
    expect(readFileSync(path.join(out, 'verify.sh'), 'utf8')).toContain(
      `check allow 'shop/api -> data/postgres:5432' tcp 'shop' 'app.kubernetes.io/name=api' pod 'data' 'app.kubernetes.io/name=postgres' '5432'`,
    );
  });

  it('reports existing rules that admitted nothing, as JSON', () => {
    const run = cli([
      'recommend',
      '--db',
      db,
      '--cluster',
      path.join(fixtures, 'shop-cluster.json'),
      '--json',
      '--flavor',
      'calico',
      '--staged',
    ]);
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as {
      namespaces: Record<string, { policies: { kind: string }[]; evidence: unknown[]; tests: unknown[] }>;
      proof: { tighten: unknown[]; violations: number };
    };
    expect(Object.keys(json.namespaces)).toEqual(['data', 'shop']);
    expect(json.namespaces['shop']?.policies.every((p) => p.kind === 'StagedNetworkPolicy')).toBe(true);
    expect(json.proof.violations).toBe(0);
    expect(json.proof.tighten).toEqual([
      {
        policy: 'shop/legacy-metrics',
        direction: 'ingress',
        rule: 0,
        message: 'shop/legacy-metrics ingress rule 0 admitted no observed connection',
      },
    ]);
  });

  it('rejects bad usage with exit status 2 and one line', () => {
    const run = cli(['recommend', '--db', db, '--flavor', 'nope']);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli(['simulate', '--db', db]).status).toBe(2);
  });

  it('simulate lists what a user-written policy set would break, and nothing for the proposal', () => {
    const broken = cli([
      'simulate',
      '--db',
      db,
      '--cluster',
      path.join(fixtures, 'shop-cluster.json'),
      '--policies',
      path.join(fixtures, 'deny-data.yaml'),
    ]);
    expect(broken.status).toBe(0);
    expect(broken.stdout).toMatch(/DROP shop\/api -> data\/postgres TCP\/5432 \(30 connections\)/);
    expect(broken.stdout).toMatch(/DROP data\/postgres -> kube-system\/coredns UDP\/53/);
    const proposed = path.join(dir, 'out', 'data.yaml');
    expect(existsSync(proposed)).toBe(true);
    const fine = cli([
      'simulate',
      '--db',
      db,
      '--cluster',
      path.join(fixtures, 'shop-cluster.json'),
      '--policies',
      proposed,
      '--recommended',
      '--json',
    ]);
    expect(fine.status).toBe(0);
    const json = JSON.parse(fine.stdout) as { replayed: number; dropped: unknown[] };
    expect(json.replayed).toBeGreaterThan(0);
    expect(json.dropped).toEqual([]);
  });
});
