// `netpol-advisor staged …` spawned for real (tsx) against a real database: staging the current
// recommendation and given manifests, listing, showing, the would-drop paths recorded by the live
// evaluation (ShadowRecorder, as the daemon runs it), promoting to a kustomize folder, retiring,
// and bad input refused with exit status 2 and the field named.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parserFor } from '../../src/flows/parsers.js';
import { loadClusterSnapshot } from '../../src/k8s/snapshot-file.js';
import { BatchWriter } from '../../src/ingest/batch-writer.js';
import { ShadowRecorder } from '../../src/store/staged-shadow.js';
import { StagedStore } from '../../src/store/staged-store.js';
import { openStore } from '../../src/store/store.js';
import { RECOMMEND_FIXTURES, SHOP_LINES, shopLine } from './flow-lines.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'npa-staged-cli-'));
const db = path.join(dir, 'flows.db');
const cluster = path.join(RECOMMEND_FIXTURES, 'shop-cluster.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', 'staged', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NETPOL_ADVISOR_DB: '' },
  });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('netpol-advisor staged', () => {
  it('adds, lists, shows, pages would-drops, promotes and removes; bad input exits 2 naming the field', async () => {
    const store = openStore(db);
    const writer = new BatchWriter({ store, batchSize: 10_000 });
    const parse = parserFor('hubble');
    for (const line of SHOP_LINES) writer.add(parse(line));
    writer.flush();

    const added = cli('add', '--db', db, '--namespace', 'shop', '--cluster', cluster, '--json');
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    const set = JSON.parse(added.stdout) as {
      id: number;
      status: string;
      origin: string;
      policyNames: string[];
      stagedBy: string;
    };
    expect(set).toMatchObject({ status: 'active', origin: 'recommendation' });
    expect(set.stagedBy).toMatch(/^cli/);
    expect(set.policyNames.length).toBeGreaterThan(1);

    // The live evaluation, as the daemon runs it around its store, records a would-drop.
    const loaded = await loadClusterSnapshot([cluster]);
    if (!loaded.ok) throw new Error('snapshot');
    const staged = new StagedStore(db);
    const recorder = new ShadowRecorder({
      staged,
      snapshot: () => loaded.snapshot,
      now: () => Date.UTC(2026, 10, 22),
    });
    const live = new BatchWriter({ store: recorder.wrap(store), batchSize: 10_000 });
    for (const line of [
      shopLine('redis-', 'postgres-0', 5432, Date.UTC(2026, 10, 22)),
      shopLine('api-', 'postgres-0', 5432, Date.UTC(2026, 10, 22)),
    ])
      live.add(parse(line));
    live.flush();
    staged.close();
    store.close();

    const listed = cli('list', '--db', db, '--json');
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      {
        id: set.id,
        readiness: { verdict: 'would-break' },
        traffic: { paths: 2, connections: 2, wouldDropPaths: 1 },
      },
    ]);
    const text = cli('would-drop', String(set.id), '--db', db);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^WOULD-DROP shop\/redis -> data\/postgres TCP\/5432 \(1 connections/m);
    const shown = cli('show', String(set.id), '--db', db);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain('readiness: would-break');
    expect(shown.stdout).toContain('kind: NetworkPolicy');

    // Given manifests: a kind no flavour stages is refused, naming it, and so is an object of
    // another flavour than the one asked for; a good file supersedes the set.
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: x}\nspec: {}\n',
    );
    const refused = cli('add', '--db', db, '--namespace', 'shop', '--policies', bad);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /policies\[0\]: kind: only .*, got cilium\.io\/v2 CiliumClusterwideNetworkPolicy: a cluster-wide object cannot be staged in one namespace/,
    );
    writeFileSync(
      bad,
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: x}\nspec: {endpointSelector: {}}\n',
    );
    const otherFlavor = cli('add', '--db', db, '--namespace', 'shop', '--flavor', 'k8s', '--policies', bad);
    expect(otherFlavor.status).toBe(2);
    expect(otherFlavor.stderr).toMatch(
      /policies\[0\]: kind: flavor k8s stages only networking\.k8s\.io\/v1 NetworkPolicy/,
    );
    const good = path.join(dir, 'good.yaml');
    writeFileSync(
      good,
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n',
    );
    const second = cli('add', '--db', db, '--namespace', 'shop', '--policies', good, '--json');
    expect(second.status).toBe(0);
    const secondId = (JSON.parse(second.stdout) as { id: number }).id;

    const out = path.join(dir, 'promoted');
    const promoted = cli('promote', String(secondId), '--db', db, '--out', out);
    expect(promoted.status).toBe(0);
    expect(readFileSync(path.join(out, 'shop.yaml'), 'utf8')).toContain('name: deny-all');
    expect(existsSync(path.join(out, 'kustomization.yaml'))).toBe(true);
    const again = cli('remove', String(secondId), '--db', db);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`staged set ${secondId} is promoted, not active`);
    const history = JSON.parse(cli('list', '--db', db, '--json').stdout) as { id: number; status: string }[];
    expect(history.map((s) => [s.id, s.status])).toEqual([
      [secondId, 'promoted'],
      [set.id, 'superseded'],
    ]);
    expect(cli('show', 'abc', '--db', db).status).toBe(2);
    expect(cli('frobnicate', '--db', db).status).toBe(2);

    // The cilium flavour: the recommendation as CiliumNetworkPolicies, promoted as such; a Calico
    // set cannot be judged beside it (one CNI enforces policy): exit 2, saying why.
    const cilium = cli(
      'add',
      '--db',
      db,
      '--namespace',
      'shop',
      '--flavor',
      'cilium',
      '--cluster',
      cluster,
      '--json',
    );
    expect(cilium.stderr).toBe('');
    const ciliumSet = JSON.parse(cilium.stdout) as { id: number; flavor: string };
    expect(ciliumSet.flavor).toBe('cilium');
    const calicoFile = path.join(dir, 'calico.yaml');
    writeFileSync(
      calicoFile,
      'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {selector: all(), types: [Ingress]}\n',
    );
    const clash = cli('add', '--db', db, '--namespace', 'data', '--policies', calicoFile);
    expect(clash.status).toBe(2);
    expect(clash.stderr).toContain('namespace shop has an active cilium set');
    const ciliumYaml = cli('promote', String(ciliumSet.id), '--db', db);
    expect(ciliumYaml.status).toBe(0);
    expect(ciliumYaml.stdout).toContain('kind: CiliumNetworkPolicy');
    const calico = cli('add', '--db', db, '--namespace', 'data', '--policies', calicoFile, '--json');
    expect(calico.stderr).toBe('');
    expect(JSON.parse(calico.stdout)).toMatchObject({ flavor: 'calico', policyNames: ['deny'] });
  }, 120_000);
});
