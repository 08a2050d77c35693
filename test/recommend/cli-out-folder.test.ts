// `recommend --out DIR` writes each namespace's file as it is proposed (src/cli/recommend-folder.ts),
// keeping no rule evidence; with `--json` it writes the folder from the whole recommendation. Both
// must give the same files byte for byte, in every flavour, and a refused proposal must leave DIR
// as it was: no staging folder, no folder the run created.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

function folder(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]),
  );
}

const ping = SHOP_TO_DATA_PING;

describe('recommend --out: namespaces written as they are proposed', () => {
  let dir = '';
  let db = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netpol-recommend-out-'));
    db = path.join(dir, 'flows.db');
    const input = path.join(dir, 'flows.jsonl');
    writeFileSync(input, `${readFileSync(path.join(fixtures, 'shop-hubble.jsonl'), 'utf8')}${ping}\n`);
    expect(cli(['ingest', '--format', 'hubble', '--db', db, input]).status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const flavor of ['k8s', 'cilium', 'calico']) {
    it(`--flavor ${flavor}: the same files as the folder written from the whole recommendation`, () => {
      const streamed = path.join(dir, `${flavor}-streamed`);
      const whole = path.join(dir, `${flavor}-whole`);
      const args = ['recommend', '--db', db, '--accept-unsafe', '--flavor', flavor];
      const a = cli([...args, '--out', streamed]);
      const b = cli([...args, '--out', whole, '--json']);
      expect(a.status, a.stderr).toBe(0);
      expect(b.status, b.stderr).toBe(0);
      const files = folder(streamed);
      expect(Object.keys(files)).toEqual(expect.arrayContaining(['data.yaml', 'shop.yaml', 'README.md']));
      expect(files).toEqual(folder(whole));
      expect(a.stderr).toBe(b.stderr);
    });
  }

  it('a refused proposal leaves no folder it created and nothing in a folder that existed', () => {
    const created = path.join(dir, 'new', 'deeper', 'out');
    const refused = cli(['recommend', '--db', db, '--out', created]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('NOT SAFE TO APPLY');
    expect(existsSync(path.join(dir, 'new'))).toBe(false);

    const existing = path.join(dir, 'existing');
    mkdirSync(existing);
    writeFileSync(path.join(existing, 'keep.txt'), 'mine\n');
    expect(cli(['recommend', '--db', db, '--out', existing]).status).toBe(1);
    expect(readdirSync(existing)).toEqual(['keep.txt']);
  });
});
