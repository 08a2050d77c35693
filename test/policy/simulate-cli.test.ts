// `simulate` spawned for real on the CNI flavours (issue 16 points 3 and 4): the recommender's
// cilium and calico output read back from its --out folder replays with no drop; the same folder
// with one allow policy removed shows would-be drops; staged Calico output is not enforced unless
// --promote-staged; an object that cannot be evaluated is listed, and when it selects a pod on a
// replayed path the exit status is 1 unless --allow-unknown.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(repoRoot, 'test/fixtures/recommend');
const cluster = path.join(fixtures, 'shop-cluster.json');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function documentsOf(file: string): Record<string, unknown>[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  return (Array.isArray(docs) ? docs : [docs])
    .map((d) => d.toJS() as Record<string, unknown>)
    .filter((d) => d !== null);
}

describe('simulate on Cilium and Calico policies', () => {
  let dir = '';
  let db = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netpol-simulate-cni-'));
    db = path.join(dir, 'flows.db');
    expect(
      cli(['ingest', '--format', 'hubble', '--db', db, path.join(fixtures, 'shop-hubble.jsonl')]).status,
    ).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [flavor, extra] of [
    ['cilium', []],
    ['calico', []],
    ['calico', ['--staged']],
  ] as const) {
    it(`${flavor}${extra.length > 0 ? ' staged' : ''}: the output replays clean, and without its first allow policy it drops flows`, () => {
      const out = path.join(dir, `${flavor}${extra.length}`);
      const rec = cli([
        'recommend',
        '--db',
        db,
        '--cluster',
        cluster,
        '--flavor',
        flavor,
        ...extra,
        '--out',
        out,
      ]);
      expect(rec.stderr).toMatch(/0 dropped/);
      expect(rec.status).toBe(0);
      const promote = extra.length > 0 ? ['--promote-staged'] : [];
      const clean = cli(['simulate', '--db', db, '--cluster', cluster, '--policies', out, ...promote]);
      expect(clean.stdout).toMatch(/, 0 would be dropped/);
      expect(clean.stdout).not.toMatch(/IGNORED/);
      expect(clean.status).toBe(0);
      // Remove the first allow object of shop.yaml (a policy of the emitted kind, not the default deny).
      const objects = documentsOf(path.join(out, 'shop.yaml'));
      const victim = objects.findIndex((o) => (o['metadata'] as { name: string }).name !== 'default-deny');
      expect(String(objects[victim]?.['kind'])).toMatch(
        flavor === 'cilium'
          ? /^CiliumNetworkPolicy$/
          : extra.length > 0
            ? /^StagedNetworkPolicy$/
            : /^NetworkPolicy$/,
      );
      const broken = path.join(dir, `${flavor}${extra.length}-broken`);
      mkdirSync(broken);
      for (const file of readdirSync(out).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
        const docs = documentsOf(path.join(out, file)).filter((_, i) => file !== 'shop.yaml' || i !== victim);
        writeFileSync(path.join(broken, file), docs.map((d) => stringify(d)).join('---\n'));
      }
      const run = cli(['simulate', '--db', db, '--cluster', cluster, '--policies', broken, ...promote]);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/, [1-9]\d* would be dropped/);
      expect(run.stdout).toMatch(/^DROP shop\//m);
    });
  }

  it('staged Calico policies are not enforced unless promoted, and it says so', () => {
    const out = path.join(dir, 'calico1');
    const run = cli([
      'simulate',
      '--db',
      db,
      '--cluster',
      cluster,
      '--policies',
      path.join(out, 'shop.yaml'),
      '--json',
    ]);
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as { stagedNotEnforced: number; ignored: unknown[] };
    expect(json.stagedNotEnforced).toBeGreaterThan(0);
    expect(json.ignored).toEqual([]);
  });

  it('an object it cannot evaluate is listed; on a replayed pod the exit status is 1 unless --allow-unknown', () => {
    const file = path.join(dir, 'unknown.yaml');
    writeFileSync(
      file,
      stringify({
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { namespace: 'shop', name: 'needs-prod' },
        spec: { endpointSelector: {}, ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }] }] },
      }) +
        '---\n' +
        stringify({
          apiVersion: 'policy.networking.k8s.io/v1alpha9',
          kind: 'FutureNetworkPolicy',
          metadata: { name: 'admin' },
          spec: { priority: 1, subject: { namespaces: {} } },
        }) +
        '---\n' +
        stringify({
          apiVersion: 'projectcalico.org/v3',
          kind: 'GlobalNetworkSet',
          metadata: { name: 'bad-ips' },
          spec: { nets: ['192.0.2.0/24'] },
        }),
    );
    const run = cli(['simulate', '--db', db, '--cluster', cluster, '--policies', file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /2 policy object\(s\) that could not be evaluated select pods on replayed paths/,
    );
    expect(run.stdout).toMatch(
      /^IGNORED CiliumNetworkPolicy shop\/needs-prod: spec\.ingress\[0\]\.fromRequires: not modelled \(selects 2 replayed pod\(s\)\)$/m,
    );
    expect(run.stdout).toMatch(
      /^IGNORED FutureNetworkPolicy admin: .* \(may select \d+ replayed pod\(s\)\)$/m,
    );
    expect(run.stdout).toMatch(/^IGNORED GlobalNetworkSet bad-ips: .*\(selects no pod\)$/m);
    const allowed = cli([
      'simulate',
      '--db',
      db,
      '--cluster',
      cluster,
      '--policies',
      file,
      '--allow-unknown',
      '--json',
    ]);
    expect(allowed.status).toBe(0);
    const json = JSON.parse(allowed.stdout) as {
      ignored: { kind: string; name: string; selectsReplayedPods: number }[];
    };
    expect(json.ignored.map((o) => `${o.kind}/${o.name}`)).toEqual([
      'CiliumNetworkPolicy/needs-prod',
      'FutureNetworkPolicy/admin',
      'GlobalNetworkSet/bad-ips',
    ]);
  });
});
