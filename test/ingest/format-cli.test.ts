// `ingest` and the format of its inputs (issue 18 item 4), through the real CLI: a wrong --format
// exits 2 naming the first bad line, its reason and the format the lines look like; --format auto
// skips what it cannot recognise with a warning and ingests the rest, exits 1 when nothing could
// be read, and sniffs stdin without losing its first lines.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../store/store-helpers.js';
import { repoRoot, runCli, snapshot } from './cli-helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('netpol-format-')));
afterAll(() => cleanup());
vi.setConfig({ testTimeout: 120_000 });

const fixture = (name: string): string => path.join(repoRoot, 'test/fixtures/flows', name);
const lines = (name: string): string[] =>
  readFileSync(fixture(name), 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0);

describe('ingest: a wrong --format', () => {
  it.each([
    ['hubble-observe.jsonl', 'calico-flowlog', 'hubble'],
    ['hubble-observe.jsonl', 'calico-iptables', 'hubble'],
    ['calico-flowlogs.jsonl', 'hubble', 'calico-flowlog'],
    ['calico-iptables.log', 'hubble', 'calico-iptables'],
  ])('%s read as %s exits 2 with the first bad line and "did you mean --format %s"', (file, given, right) => {
    const db = path.join(dir, `wrong-${given}-${file}.db`);
    const result = runCli(['ingest', '--format', given, '--db', db, fixture(file)]);
    expect(result.status).toBe(2);
    const errors = result.stderr.trim().split('\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `^netpol-advisor ingest: ${fixture(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: not ${given} \\([a-z_]+: .+\\); the lines look like ${right}: did you mean --format ${right}\\?$`,
      ),
    );
    expect(existsSync(db)).toBe(false);
  });

  it('names the first non-empty line, and says when the lines look like no known format', () => {
    const file = path.join(dir, 'prose.txt');
    writeFileSync(file, '\n\nthis is not a flow log\nnor is this\n');
    const result = runCli(['ingest', '--format', 'hubble', '--db', path.join(dir, 'prose.db'), file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `netpol-advisor ingest: ${file}:3: not hubble (invalid_json: ${/invalid_json: ([^)]*)\)/.exec(result.stderr)?.[1] ?? 'no detail'}); the lines look like no format this tool reads (hubble, calico-flowlog, calico-iptables)\n`,
    );
    expect(result.stderr).toMatch(/:3: not hubble \(invalid_json: .+\)/);
  });

  it('a file whose first line is bad but whose other lines fit the format is ingested (the bad line counted)', () => {
    const good = lines('hubble-observe.jsonl');
    const file = path.join(dir, 'mostly-good.jsonl');
    writeFileSync(file, ['garbage', ...good].join('\n') + '\n');
    const result = runCli([
      'ingest',
      '--format',
      'hubble',
      '--db',
      path.join(dir, 'mostly.db'),
      '--json',
      file,
    ]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rejectedByReason: { invalid_json: 1 } });
  });

  it('on stdin too', () => {
    const result = runCli(
      ['ingest', '--format', 'calico-flowlog', '--db', path.join(dir, 'stdin-wrong.db'), '-'],
      lines('hubble-observe.jsonl').join('\n') + '\n',
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^netpol-advisor ingest: stdin:1: not calico-flowlog .*did you mean --format hubble\?\n$/,
    );
  });
});

describe('ingest --format auto', () => {
  it('skips a file it cannot recognise with a warning and ingests the others, each in its own format', () => {
    const prose = path.join(dir, 'notes.txt');
    writeFileSync(prose, 'meeting notes\nnothing to see\n');
    const db = path.join(dir, 'auto-mixed.db');
    const result = runCli([
      'ingest',
      '--format',
      'auto',
      '--db',
      db,
      '--json',
      prose,
      fixture('hubble-observe.jsonl'),
      fixture('calico-flowlogs.jsonl'),
    ]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(
      `netpol-advisor ingest: warning: skipping ${prose}: cannot tell its format (not Hubble, Calico flow log or Calico Log-rule lines); pass --format\n`,
    );
    const alone = (format: string, file: string): number => {
      const r = runCli([
        'ingest',
        '--format',
        format,
        '--db',
        path.join(dir, `alone-${format}.db`),
        '--json',
        fixture(file),
      ]);
      return (JSON.parse(r.stdout) as { accepted: number }).accepted;
    };
    expect((JSON.parse(result.stdout) as { accepted: number }).accepted).toBe(
      alone('hubble', 'hubble-observe.jsonl') + alone('calico-flowlog', 'calico-flowlogs.jsonl'),
    );
  });

  it('exits 1 when nothing at all could be read', () => {
    const prose = path.join(dir, 'only-notes.txt');
    const empty = path.join(dir, 'empty.log');
    writeFileSync(prose, 'just words\n');
    writeFileSync(empty, '');
    const result = runCli([
      'ingest',
      '--format',
      'auto',
      '--db',
      path.join(dir, 'auto-none.db'),
      prose,
      empty,
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `netpol-advisor ingest: warning: skipping ${prose}: cannot tell its format (not Hubble, Calico flow log or Calico Log-rule lines); pass --format`,
      `netpol-advisor ingest: warning: skipping ${empty}: empty, so its format cannot be told`,
      'netpol-advisor ingest: nothing could be read (2 inputs skipped)',
    ]);
  });

  it('sniffs stdin from its first lines and stores exactly what a file ingest stores', () => {
    const text = readFileSync(fixture('calico-flowlogs.jsonl'), 'utf8');
    const viaStdin = path.join(dir, 'stdin-auto.db');
    const viaFile = path.join(dir, 'file-flowlog.db');
    const a = runCli(['ingest', '--format', 'auto', '--db', viaStdin, '-'], text);
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    expect(
      runCli(['ingest', '--format', 'calico-flowlog', '--db', viaFile, fixture('calico-flowlogs.jsonl')])
        .status,
    ).toBe(0);
    expect(snapshot(viaStdin).edges).toEqual(snapshot(viaFile).edges);
    expect(snapshot(viaStdin).edges.length).toBeGreaterThan(0);
  });
});
