// `npm start` rebuilds only what is older than its sources (scripts/build-freshness.mjs), judged
// on a temporary tree with explicit modification times.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types
import { staleBuilds } from '../../scripts/build-freshness.mjs';

const stale = staleBuilds as (root: string) => { server: boolean; web: boolean };
let root: string;

function file(relative: string, mtimeSec: number): void {
  const full = path.join(root, relative);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, '');
  utimesSync(full, mtimeSec, mtimeSec);
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'npa-start-'));
  file('tsconfig.build.json', 1000);
  file('src/cli/main.ts', 1000);
  file('src/cli/main.test.ts', 1000);
  file('src/web/main.ts', 1000);
  file('src/web/index.html', 1000);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('npm start: build freshness', () => {
  it('rebuilds both when dist/ is missing', () => {
    expect(stale(root)).toEqual({ server: true, web: true });
  });

  it('rebuilds nothing when both builds are newer than every source', () => {
    file('dist/cli/main.js', 2000);
    file('dist/web/index.html', 2000);
    expect(stale(root)).toEqual({ server: false, web: false });
  });

  it('rebuilds only the server when a server source changed, only the dashboard when src/web did', () => {
    file('dist/cli/main.js', 2000);
    file('dist/web/index.html', 2000);
    file('src/policy/engine.ts', 3000);
    expect(stale(root)).toEqual({ server: true, web: false });
    file('dist/cli/main.js', 4000);
    file('src/web/styles.css', 5000);
    expect(stale(root)).toEqual({ server: false, web: true });
  });

  it('ignores test files and counts tsconfig.build.json', () => {
    file('dist/cli/main.js', 2000);
    file('dist/web/index.html', 2000);
    file('src/cli/main.test.ts', 3000);
    file('src/web/graph-layout.test.ts', 3000);
    expect(stale(root)).toEqual({ server: false, web: false });
    file('tsconfig.build.json', 3000);
    expect(stale(root)).toEqual({ server: true, web: false });
  });
});
