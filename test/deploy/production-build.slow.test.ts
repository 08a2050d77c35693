// The production build the container image runs, proven without Docker: build the project, take
// only what the image ships (package*.json, bin/, dist/, migrations/, proto/, demo/, and scripts/ for the
// `prepare` hook), `npm ci --omit=dev` it in a fresh directory (better-sqlite3 installs its native
// binary there), start `netpol-advisor serve` in demo mode and wait for /healthz, /readyz and
// /metrics; then SIGTERM must stop it cleanly with the database on disk.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from './render.js';
import { RUNTIME_FILES } from './runtime-files.js';

const run = promisify(execFile);
// The image's runtime files (minus node_modules, installed here), plus scripts/ for `prepare`.
const SHIPPED = [...RUNTIME_FILES.filter((f) => f !== 'node_modules'), 'scripts'];
const MAX_OUTPUT_CHARS = 64 * 1024;

const work = mkdtempSync(path.join(tmpdir(), 'netpol-prod-'));
const appDir = path.join(work, 'app');
const dataDir = path.join(work, 'data');
let child: ChildProcess | undefined;
let output = '';
let exited: Promise<number | null> = Promise.resolve(null);
let baseUrl = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Polls `url` until it answers 200, the daemon exits, or `timeoutMs` passes. */
async function waitFor200(url: string, timeoutMs: number): Promise<Response> {
  let exited: string | undefined;
  const response = await vi.waitFor(
    async () => {
      if (child?.exitCode !== null || child.signalCode !== null) {
        exited = `the daemon exited (${String(child?.exitCode ?? child?.signalCode)}) before ${url} answered 200:\n${output}`;
        return undefined; // stop waiting: nothing will answer now
      }
      let last: string;
      try {
        const answer = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (answer.status === 200) return answer;
        last = `status ${answer.status}: ${(await answer.text()).slice(0, 500)}`;
      } catch (error) {
        last = String(error);
      }
      throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last}):\n${output}`);
    },
    { timeout: timeoutMs, interval: 250 },
  );
  if (response === undefined) throw new Error(exited);
  return response;
}

function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('NETPOL_ADVISOR_') && !key.startsWith('VITEST') && key !== 'NODE_OPTIONS')
      env[key] = value;
  }
  return { ...env, NODE_ENV: 'production', TMPDIR: dataDir };
}

describe('the production build (what the image runs)', () => {
  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: repoRoot, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
    mkdirSync(appDir);
    mkdirSync(dataDir);
    for (const entry of SHIPPED)
      cpSync(path.join(repoRoot, entry), path.join(appDir, entry), { recursive: true });
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
      cwd: appDir,
      env: environment(),
      timeout: 900_000,
      maxBuffer: 16 * 1024 * 1024,
    });

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const config = path.join(work, 'config.yaml');
    // No sources: demo mode, which replays the bundled demo flows and binds loopback only.
    writeFileSync(
      config,
      [
        `listen: "127.0.0.1:${port}"`,
        `db: "${path.join(dataDir, 'netpol-advisor.db')}"`,
        'kubernetes:',
        '  enabled: false',
        'auth:',
        '  mode: none',
        '',
      ].join('\n'),
    );
    const daemon = spawn(process.execPath, ['bin/netpol-advisor.js', 'serve', '--config', config], {
      cwd: appDir,
      env: environment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = daemon;
    const collect = (chunk: Buffer): void => {
      if (output.length < MAX_OUTPUT_CHARS) output += chunk.toString('utf8');
    };
    daemon.stdout.on('data', collect);
    daemon.stderr.on('data', collect);
    exited = new Promise((resolve) => daemon.once('exit', (code) => resolve(code)));
  }, 1_200_000);

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('installs production dependencies only, without building (no TypeScript in the runtime)', () => {
    expect(existsSync(path.join(appDir, 'node_modules/better-sqlite3'))).toBe(true);
    expect(existsSync(path.join(appDir, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(path.join(appDir, 'node_modules/vitest'))).toBe(false);
    expect(existsSync(path.join(appDir, 'dist/cli/main.js'))).toBe(true);
  });

  it('answers /healthz, then /readyz and /metrics', async () => {
    await waitFor200(`${baseUrl}/healthz`, 120_000);
    await waitFor200(`${baseUrl}/readyz`, 60_000);
    const metrics = await waitFor200(`${baseUrl}/metrics`, 10_000);
    expect(await metrics.text()).toMatch(/^# HELP /m);
  });

  it('serves the drops report, which the built analysis worker computes (dist/http/analysis-worker.js)', async () => {
    const response = await waitFor200(`${baseUrl}/api/v1/drops`, 60_000);
    const body = (await response.json()) as { items: unknown[]; nextCursor: string | null };
    expect(Array.isArray(body.items)).toBe(true);
    expect(body).toHaveProperty('nextCursor');
    expect(existsSync(path.join(appDir, 'dist/http/analysis-worker.js'))).toBe(true);
  });

  it('stops cleanly on SIGTERM and leaves the database on the data volume', async () => {
    expect(child?.exitCode, output).toBeNull();
    child?.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000)),
    ]);
    expect(code, output).toBe(0);
    expect(existsSync(path.join(dataDir, 'netpol-advisor.db'))).toBe(true);
  });
});
