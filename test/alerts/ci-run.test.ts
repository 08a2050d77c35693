// .ci/run installs the Debian packages the real-binary tests need when they are missing, and a
// failed install fails CI (naming the package) instead of being swallowed. Run with a PATH of
// stubs: apt-get records its calls and fails as told, npm records its calls.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const script = path.resolve(import.meta.dirname, '../../.ci/run');

describe('.ci/run', () => {
  let bin: string;
  let log: string;

  beforeEach(() => {
    bin = mkdtempSync(path.join(tmpdir(), 'npa-ci-run-'));
    log = path.join(bin, 'calls.log');
    writeFileSync(log, '');
    symlinkSync('/usr/bin/dirname', path.join(bin, 'dirname'));
    writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\necho "npm $* CI=$CI" >> ${JSON.stringify(log)}\n`);
    chmodSync(path.join(bin, 'npm'), 0o755);
  });
  afterEach(() => rmSync(bin, { recursive: true, force: true }));

  /** apt-get fails for `update` when failUpdate, and for `install` of the packages in failInstall. */
  function run(options: { failUpdate?: boolean; failInstall?: string[] }): {
    status: number | null;
    stderr: string;
    calls: string[];
  } {
    const failing = (options.failInstall ?? []).join(' ');
    writeFileSync(
      path.join(bin, 'apt-get'),
      [
        '#!/bin/sh',
        `echo "apt-get $*" >> ${JSON.stringify(log)}`,
        `if [ "$1" = update ]; then exit ${options.failUpdate === true ? 100 : 0}; fi`,
        'for pkg in "$@"; do last=$pkg; done',
        `case " ${failing} " in *" $last "*) exit 100;; esac`,
        'exit 0',
        '',
      ].join('\n'),
    );
    chmodSync(path.join(bin, 'apt-get'), 0o755);
    const result = spawnSync('/bin/bash', [script], { encoding: 'utf8', env: { PATH: bin } });
    return {
      status: result.status,
      stderr: result.stderr,
      calls: readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l !== ''),
    };
  }

  it('installs every missing package, then runs the tests with CI=true', () => {
    const { status, calls } = run({});
    expect(status).toBe(0);
    expect(calls).toEqual([
      'apt-get update -qq',
      'apt-get install -y -qq chromium',
      'apt-get install -y -qq kubernetes-client',
      'apt-get install -y -qq prometheus',
      'apt-get install -y -qq prometheus-alertmanager',
      'apt-get install -y -qq openssl',
      'npm ci CI=true',
      'npm test CI=true',
      'npm run test:slow CI=true',
    ]);
  });

  it('fails, naming the package, when an install fails (after trying the others)', () => {
    const { status, stderr, calls } = run({ failInstall: ['prometheus-alertmanager', 'chromium'] });
    expect(status).toBe(1);
    expect(stderr).toContain('apt-get install failed for: chromium prometheus-alertmanager');
    expect(calls.filter((c) => c.startsWith('apt-get install'))).toHaveLength(5);
    expect(calls.some((c) => c.startsWith('npm'))).toBe(false);
  });

  it('fails when apt-get update fails', () => {
    const { status, stderr, calls } = run({ failUpdate: true });
    expect(status).toBe(1);
    expect(stderr).toContain('apt-get update failed');
    expect(calls).toEqual(['apt-get update -qq']);
  });
});

describe('the real-binary suites under CI=true', () => {
  // binaries.ts decides at import time; a child process imports it with a chosen environment.
  function decide(ci: string | undefined): string {
    const code = [
      "const b = await import('./test/alerts/binaries.ts');",
      "const missing = b.findBinary('netpol-advisor-no-such-binary');",
      'let threw = false;',
      'try { b.requirePath(missing); } catch { threw = true; }',
      'console.log(JSON.stringify({ skip: b.skipUnlessPresent(missing), threw }));',
    ].join('\n');
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '' };
    if (ci !== undefined) env['CI'] = ci;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      encoding: 'utf8',
      env,
    });
    expect(result.stderr).toBe('');
    return result.stdout.trim();
  }

  it('skips a suite whose binary is missing on a dev machine, and runs it (to fail) with CI=true', () => {
    expect(JSON.parse(decide(undefined))).toEqual({ skip: true, threw: true });
    expect(JSON.parse(decide('true'))).toEqual({ skip: false, threw: true });
  });

  it('the same for Chromium, kubectl, openssl and the shared fixtures (test/ci-tools.ts)', () => {
    const decideTool = (ci: string | undefined): unknown => {
      const code =
        "const t = await import('./test/ci-tools.ts'); console.log(JSON.stringify({ missing: t.skipWhenMissing(false, 'a tool'), present: t.skipWhenMissing(true, 'a tool') }));";
      const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '' };
      if (ci !== undefined) env['CI'] = ci;
      const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        encoding: 'utf8',
        env,
      });
      return JSON.parse(result.stdout.trim());
    };
    expect(decideTool(undefined)).toEqual({ missing: true, present: false });
    expect(decideTool('true')).toEqual({ missing: false, present: false });
  });
});
