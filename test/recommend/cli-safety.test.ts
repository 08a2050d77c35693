// `recommend` never prints, with exit 0, a proposal that would deny an observed path it cannot
// express: exit 1 naming the path (stdout empty, so `| kubectl apply -f -` applies nothing),
// `--json` still carries the `safe`/`unsafe`/`warnings` fields, `--accept-unsafe` prints it, and
// docs/cli.md documents the exit status, the fields and every warning code the recommender has.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOP_TO_DATA_PING } from './ping-line.js';

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

const ping = SHOP_TO_DATA_PING;

describe('recommend: unsafe proposals', () => {
  let dir = '';
  let db = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netpol-recommend-unsafe-'));
    db = path.join(dir, 'flows.db');
    const input = path.join(dir, 'flows.jsonl');
    writeFileSync(input, `${readFileSync(path.join(fixtures, 'shop-hubble.jsonl'), 'utf8')}${ping}\n`);
    const ingest = cli(['ingest', '--format', 'hubble', '--db', db, input]);
    expect(ingest.status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 naming the path, and prints no manifests', () => {
    const run = cli(['recommend', '--db', db]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('NOT SAFE TO APPLY');
    expect(run.stderr).toContain('data: shop/api -> data/postgres ICMP/- [icmp]');
    expect(run.stderr).toContain('shop: shop/api -> data/postgres ICMP/- [icmp]');
    expect(run.stderr).toContain('--accept-unsafe');
  });

  it('--json: exit 1 with the safe and unsafe fields per namespace', () => {
    const run = cli(['recommend', '--db', db, '--json']);
    expect(run.status).toBe(1);
    const body = JSON.parse(run.stdout) as {
      safe: boolean;
      unsafe: { namespace: string; path: string; code: string }[];
      namespaces: Record<string, { safe: boolean; unsafe: unknown[] }>;
    };
    expect(body.safe).toBe(false);
    expect(body.unsafe.map((u) => `${u.namespace} ${u.path} ${u.code}`)).toEqual([
      'data shop/api -> data/postgres ICMP/- icmp',
      'shop shop/api -> data/postgres ICMP/- icmp',
    ]);
    expect(body.namespaces['data']?.safe).toBe(false);
    expect(body.namespaces['shop']?.unsafe).toHaveLength(1);
  });

  it('--json: the warnings name the path too, with a code docs/cli.md lists', () => {
    const run = cli(['recommend', '--db', db, '--json']);
    const body = JSON.parse(run.stdout) as { warnings: { code: string; subject?: string }[] };
    expect(body.warnings).toContainEqual(
      expect.objectContaining({ code: 'icmp', subject: 'shop/api -> data/postgres ICMP/-' }),
    );
  });

  it('docs/cli.md documents the exit status, the fields and every warning code', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs/cli.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### Safe to apply'));
    for (const text of ['exit 0', 'exit 1', '`safe`', '`unsafe`', '`warnings`', '--accept-unsafe'])
      expect(section, text).toContain(text);
    const proposal = readFileSync(path.join(repoRoot, 'src/recommend/proposal.ts'), 'utf8');
    const union = /export type WarningCode =([\s\S]*?);/.exec(proposal)?.[1] ?? '';
    const codes = [...union.matchAll(/'([a-z-]+)'/g)].map((m) => m[1] ?? '');
    expect(codes.length).toBeGreaterThan(10);
    const list = section.slice(section.indexOf('Warning codes:'));
    for (const code of codes) expect(list, code).toContain(`\`${code}\``);
  });

  it('--accept-unsafe prints the proposal with exit 0 and still says why it is not safe', () => {
    const run = cli(['recommend', '--db', db, '--accept-unsafe']);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('accepted with --accept-unsafe');
    const docs = parseAllDocuments(run.stdout);
    expect(Array.isArray(docs) ? docs.length : 0).toBeGreaterThan(3);
  });
});
