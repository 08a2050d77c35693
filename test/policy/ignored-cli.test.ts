// `drops` and `doctor` list the policy objects they could not evaluate (issue 16 point 3): as
// IGNORED lines after the text report, and with --json as one `{"ignored": [...]}` line on stderr
// (stdout stays the contract's array).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
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

describe('drops and doctor list ignored policy objects', { timeout: 120_000 }, () => {
  let dir = '';
  let db = '';
  let cluster = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netpol-ignored-cli-'));
    db = path.join(dir, 'flows.db');
    expect(
      cli(['ingest', '--format', 'hubble', '--db', db, path.join(fixtures, 'shop-hubble.jsonl')]).status,
    ).toBe(0);
    cluster = path.join(dir, 'cluster');
    mkdirSync(cluster);
    copyFileSync(path.join(fixtures, 'shop-cluster.json'), path.join(cluster, 'cluster.json'));
    writeFileSync(
      path.join(cluster, 'cnp.yaml'),
      stringify({
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { namespace: 'shop', name: 'needs-prod' },
        spec: { endpointSelector: {}, ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }] }] },
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const command of ['drops', 'doctor']) {
    it(command, () => {
      const text = cli([command, '--db', db, '--cluster', cluster]);
      expect(text.status).toBe(0);
      expect(text.stdout).toMatch(
        /1 policy object\(s\) could not be evaluated; the findings above leave them out:\nIGNORED CiliumNetworkPolicy shop\/needs-prod: spec\.ingress\[0\]\.fromRequires: not modelled\n/,
      );
      const json = cli([command, '--db', db, '--cluster', cluster, '--json']);
      expect(json.status).toBe(0);
      expect(Array.isArray(JSON.parse(json.stdout))).toBe(true);
      expect(JSON.parse(json.stderr.trim().split('\n').at(-1) ?? '')).toEqual({
        ignored: [
          {
            kind: 'CiliumNetworkPolicy',
            namespace: 'shop',
            name: 'needs-prod',
            reason: 'spec.ingress[0].fromRequires: not modelled',
          },
        ],
      });
    });
  }
});
