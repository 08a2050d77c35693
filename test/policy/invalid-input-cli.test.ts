// The `--policies` and `--cluster` loaders refuse what the API server would refuse (issue 14
// item 2), through the real command (node --import tsx src/cli/main-entry.ts): exit 2 and one
// stderr line naming the file and the field; non-JSON YAML types (`!!binary`) name file and line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const CLUSTER = path.join(repoRoot, 'test/fixtures/policy/cluster.json');
const tmp = mkdtempSync(path.join(tmpdir(), 'netpol-invalid-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  const full = path.join(tmp, name);
  writeFileSync(full, text);
  return full;
}

describe('invalid names and YAML types in --policies / --cluster', { timeout: 60_000 }, () => {
  it('simulate --policies with a policy named `{{x}}`: exit 2 naming the file and metadata.name', () => {
    const bad = file(
      'bad-name.yaml',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: "{{x}}"\n  namespace: shop\nspec:\n  podSelector: {}\n',
    );
    const r = run('simulate', '--db', path.join(tmp, 'none.db'), '--cluster', CLUSTER, '--policies', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toContain('metadata.name');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('simulate --policies with a !!binary value: exit 2 naming the file, line and tag', () => {
    const bad = file(
      'binary.yaml',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: x\n  namespace: shop\n  annotations:\n    blob: !!binary aGVsbG8=\nspec:\n  podSelector: {}\n',
    );
    const r = run('simulate', '--db', path.join(tmp, 'none.db'), '--cluster', CLUSTER, '--policies', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:7`);
    expect(r.stderr).toContain('tag:yaml.org,2002:binary');
  });

  it("eval --cluster with a namespace `' OR 1=1 --` in the snapshot: exit 2 naming metadata.namespace", () => {
    const snapshot = file(
      'cluster-bad.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'p', namespace: "' OR 1=1 --" },
            spec: { containers: [] },
            status: { podIP: '10.0.0.9' },
          },
        ],
      }),
    );
    const r = run('eval', '--cluster', snapshot, '--from', '10.0.0.1', '--to', '10.0.0.9', '--port', '80');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(snapshot);
    expect(r.stderr).toContain('metadata.namespace');
  });

  it('eval --cluster with a 100,000-character label value: exit 2, and the message stays short', () => {
    const snapshot = file(
      'cluster-long.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'p', namespace: 'shop', labels: { app: 'v'.repeat(100_000) } },
            spec: { containers: [] },
            status: { podIP: '10.0.0.9' },
          },
        ],
      }),
    );
    const r = run('eval', '--cluster', snapshot, '--from', '10.0.0.1', '--to', '10.0.0.9', '--port', '80');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('metadata.labels["app"]');
    expect(r.stderr.length).toBeLessThan(2000);
  });
});
