// The `eval` command spawned for real (node --import tsx src/cli/main-entry.ts eval …).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(repoRoot, 'test/fixtures/policy');
const CLUSTER = path.join(FIXTURES, 'cluster.json');
const tmp = mkdtempSync(path.join(tmpdir(), 'netpol-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', 'eval', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('netpol-advisor eval', { timeout: 60_000 }, () => {
  it('--json prints one decision with both directions explained', () => {
    const r = run(
      '--cluster',
      CLUSTER,
      '--from',
      'shop/web-7d4b9c8f6d-abcde',
      '--to',
      'db/pg-0',
      '--port',
      '5432',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      verdict: 'allow',
      port: 5432,
      protocol: 'TCP',
      egress: {
        allowed: true,
        isolated: true,
        isolatedBy: ['shop/web-egress'],
        allowedBy: [{ policy: 'shop/web-egress', rule: 0 }],
      },
      ingress: {
        allowed: true,
        isolated: true,
        isolatedBy: ['db/pg-from-web'],
        allowedBy: [{ policy: 'db/pg-from-web', rule: 0 }],
      },
    });
  });

  it('human output explains each direction and a denial', () => {
    const r = run('--cluster', CLUSTER, '--from', '192.168.1.10', '--to', 'db/pg-0', '--port', '5432');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DENY');
    expect(r.stdout).toMatch(/egress .*node IP \(node node-1\)/);
    expect(r.stdout).toMatch(
      /ingress \(DENIED\): db\/pg-0 is isolated for ingress by db\/pg-from-web; no ingress rule/,
    );
  });

  it('--queries answers a JSON array in order', () => {
    const r = run('--cluster', CLUSTER, '--queries', path.join(FIXTURES, 'queries.json'), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { verdict: string; to: string }[];
    expect(out.map((d) => d.verdict)).toEqual(['allow', 'allow', 'allow', 'deny', 'deny']);
    expect(out[2]?.to).toBe('203.0.113.9');
  });

  it('--queries prints one compact line per query: the verdict and what decided each direction', () => {
    const r = run('--cluster', CLUSTER, '--queries', path.join(FIXTURES, 'queries.json'));
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'shop/web-7d4b9c8f6d-abcde -> db/pg-0 TCP/5432: ALLOW; egress allowed by shop/web-egress[0]; ingress allowed by db/pg-from-web[0]',
      'db/pg-0 -> shop/web-7d4b9c8f6d-abcde TCP/8080: ALLOW; egress not isolated; ingress not isolated',
      'shop/web-7d4b9c8f6d-abcde -> 203.0.113.9 TCP/443: ALLOW; egress allowed by shop/web-egress[1]; ingress not isolated',
      'shop/web-7d4b9c8f6d-abcde -> 169.254.169.254 TCP/443: DENY; egress DENIED (isolated by shop/web-egress); ingress not isolated',
      '192.168.1.10 -> db/pg-0 TCP/5432: DENY; egress not isolated; ingress DENIED (isolated by db/pg-from-web)',
      '',
    ]);
  });

  it('--queries --explain gives each query the prose of a single eval, identical', () => {
    const queries = JSON.parse(readFileSync(path.join(FIXTURES, 'queries.json'), 'utf8')) as {
      from: string;
      to: string;
      port: number;
    }[];
    const batch = run('--cluster', CLUSTER, '--queries', path.join(FIXTURES, 'queries.json'), '--explain');
    expect(batch.code).toBe(0);
    const singles = queries.map(
      (q) => run('--cluster', CLUSTER, '--from', q.from, '--to', q.to, '--port', String(q.port)).stdout,
    );
    expect(batch.stdout).toBe(singles.join('\n'));
    const json = JSON.parse(
      run('--cluster', CLUSTER, '--queries', path.join(FIXTURES, 'queries.json'), '--json', '--explain')
        .stdout,
    ) as unknown[];
    const singleJson = queries.map(
      (q) =>
        JSON.parse(
          run('--cluster', CLUSTER, '--from', q.from, '--to', q.to, '--port', String(q.port), '--json')
            .stdout,
        ) as unknown,
    );
    expect(json).toEqual(singleJson);
  });

  it('--queries --json and --ndjson carry the decision without the prose unless --explain', () => {
    const json = JSON.parse(
      run('--cluster', CLUSTER, '--queries', path.join(FIXTURES, 'queries.json'), '--json').stdout,
    ) as Record<string, Record<string, unknown>>[];
    const nd = run('--cluster', CLUSTER, '--queries', path.join(FIXTURES, 'queries.json'), '--ndjson');
    expect(nd.code).toBe(0);
    const lines = nd.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, Record<string, unknown>>);
    expect(lines).toEqual(json);
    expect(lines[4]).toMatchObject({
      verdict: 'deny',
      ingress: { allowed: false, isolated: true, isolatedBy: ['db/pg-from-web'], allowedBy: [] },
    });
    for (const line of lines) expect(Object.keys(line['egress'] ?? {})).not.toContain('reason');
    const explained = run(
      '--cluster',
      CLUSTER,
      '--queries',
      path.join(FIXTURES, 'queries.json'),
      '--ndjson',
      '--explain',
    )
      .stdout.trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, Record<string, unknown>>);
    expect(explained[4]?.['ingress']?.['reason']).toMatch(
      /db\/pg-0 is isolated for ingress by db\/pg-from-web; no ingress rule/,
    );
    expect(
      run('--cluster', CLUSTER, '--queries', path.join(FIXTURES, 'queries.json'), '--ndjson', '--json').code,
    ).toBe(2);
    expect(
      run('--cluster', CLUSTER, '--from', 'db/pg-0', '--to', 'db/pg-0', '--port', '80', '--ndjson').code,
    ).toBe(2);
  });

  it('--matrix --pods prints the e2e-style grid, and JSON with --json', () => {
    const r = run('--cluster', path.join(FIXTURES, 'manifests'), '--matrix', '--pods', '--port', '80');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(1, 4)).toEqual(['-\tx/a\ty/a', 'x/a\tX\t.', 'y/a\t.\t.']);
    const j = run('--cluster', path.join(FIXTURES, 'manifests'), '--matrix', '--namespace', 'x', '--json');
    expect(JSON.parse(j.stdout)).toEqual({
      port: 80,
      protocol: 'TCP',
      pods: ['x/a'],
      allowed: { 'x/a': { 'x/a': false } },
      workloads: { a: { a: 'deny' } },
    });
  });

  it('exits 2 naming an unknown pod', () => {
    const r = run('--cluster', CLUSTER, '--from', 'shop/nope', '--to', 'db/pg-0', '--port', '5432');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'netpol-advisor eval: --from: no pod or workload shop/nope in the cluster snapshot',
    );
  });

  it('exits 2 with one line naming the file and object for an invalid snapshot', () => {
    const r = run('--cluster', path.join(FIXTURES, 'invalid-policy.yaml'), '--matrix');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(
      'invalid-policy.yaml: NetworkPolicy x/broken: spec.podSelector.matchExpressions[0].operator',
    );
    expect(r.stderr).toContain('(and 4 more problems)');
  });

  it('exits 2 naming the query field at fault', () => {
    const file = path.join(tmp, 'q.json');
    writeFileSync(
      file,
      JSON.stringify([
        { from: 'db/pg-0', to: 'db/pg-0', port: 5432 },
        { from: 'db/pg-0', to: 'db/pg-0', port: 0 },
      ]),
    );
    const r = run('--cluster', CLUSTER, '--queries', file);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `netpol-advisor eval: ${file}: [1].port: expected an integer from 1 to 65535`,
    );
  });

  it('exits 2 on bad usage', () => {
    expect(run('--from', 'a/b', '--to', 'c/d', '--port', '80').code).toBe(2);
    expect(
      run('--cluster', CLUSTER, '--from', 'db/pg-0', '--to', 'db/pg-0', '--port', '99999').stderr,
    ).toContain('--port');
    expect(run('--cluster', CLUSTER, '--matrix', '--protocol', 'ICMP').code).toBe(2);
  });
});
