// Shared setup of the dashboard browser tests: the built dashboard (vite build when dist/web is
// missing or older than src/web), the demo flows as a followed file source with their times
// shifted to now, the real `serve` as a child process on 127.0.0.1 port 0, and Debian's chromium
// driven by playwright-core with a fresh profile (never a downloaded browser).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { vi } from 'vitest';
import { startServeProcess } from '../../bench/serve-process.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** What a suite's skipWhenMissing(hasChromium, …) names. */
export const CHROMIUM_MISSING = 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)';
const WEB_SRC = path.join(repoRoot, 'src/web');
export const WEB_DIST = path.join(repoRoot, 'dist/web');

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** dist/web as `npm ci` (prepare) or `npm run build` made it; rebuilt here when stale or absent. */
export function ensureWebBuilt(): void {
  const index = path.join(WEB_DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtimeMs(WEB_SRC)) return;
  execFileSync(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules/vite/bin/vite.js'),
      'build',
      'src/web',
      '--outDir',
      '../../dist/web',
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: repoRoot, stdio: 'pipe' },
  );
}

/**
 * The module `entry` of src/web (and what it imports) as one classic script that sets the global
 * `globalName` to its exports: a dashboard part tried alone on a blank page.
 */
export async function webModuleScript(entry: string, globalName: string): Promise<string> {
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    root: repoRoot,
    build: { write: false, minify: false, lib: { entry, formats: ['iife'], name: globalName } },
  });
  const chunk = (Array.isArray(out) ? out : [out]).flatMap((o) => ('output' in o ? o.output : []))[0];
  if (chunk?.type !== 'chunk') throw new Error(`vite built no script of ${entry}`);
  return chunk.code;
}

export interface RunningDaemon {
  readonly base: string;
  readonly logs: () => string;
  stop(): Promise<void>;
}

/** Spawns `serve --config` (the source, under tsx) and resolves once it listens and is ready. */
export async function startServe(configFile: string, timeoutMs = 120_000): Promise<RunningDaemon> {
  const serve = await startServeProcess(configFile, { entry: 'source', timeoutMs });
  return {
    base: serve.base,
    logs: serve.output,
    stop: async () => {
      await serve.stop();
    },
  };
}

/** Opens the dashboard route `hash` on `page` and waits for the page to say its data is drawn. */
export async function gotoReady(page: Page, base: string, hash: string): Promise<Page> {
  await page.goto(`${base}/${hash}`);
  await page.locator('.page[data-ready="true"]').waitFor({ timeout: 30_000 });
  return page;
}

export interface FileDaemon {
  readonly daemon: RunningDaemon;
  readonly flowsFile: string;
}

/**
 * `serve` on a Hubble file source of `lines` in `dir` (flows.jsonl, advisor.db, config.yaml), the
 * inventory off and `snapshot` (default: the demo's) as the cluster; resolves once every line is
 * accepted into the store. `extraConfig` lines go at the top level of the config.
 */
export async function startFileDaemon(
  dir: string,
  lines: readonly string[],
  options: { readonly snapshot?: string; readonly extraConfig?: readonly string[] } = {},
): Promise<FileDaemon> {
  const flowsFile = path.join(dir, 'flows.jsonl');
  writeFileSync(flowsFile, `${lines.join('\n')}\n`);
  const config = path.join(dir, 'config.yaml');
  writeConfig(config, [
    'listen: "127.0.0.1:0"',
    `db: ${JSON.stringify(path.join(dir, 'advisor.db'))}`,
    ...(options.extraConfig ?? []),
    'sources:',
    '  - type: file',
    '    name: demo-file',
    '    format: hubble',
    `    path: ${JSON.stringify(flowsFile)}`,
    'kubernetes:',
    '  enabled: false',
    `  snapshot: ${JSON.stringify(options.snapshot ?? path.join(repoRoot, 'demo/cluster.json'))}`,
    'limits:',
    '  flushIntervalMs: 50',
  ]);
  const daemon = await startServe(config);
  await waitFor(
    'the flows in the store',
    60_000,
    async () => {
      const metrics = await (await fetch(`${daemon.base}/metrics`)).text();
      return metrics.includes(`netpol_advisor_events_accepted_total ${lines.length}\n`) ? true : undefined;
    },
    daemon.logs,
  );
  return { daemon, flowsFile };
}

/** vi.waitFor until `fn` returns a value (errors count as "not yet"); `context()` goes into the failure. */
export function waitFor<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | undefined>,
  context: () => string = () => '',
): Promise<T> {
  let lastError: unknown;
  return vi.waitFor(
    async () => {
      try {
        const value = await fn();
        if (value !== undefined) return value;
      } catch (error) {
        lastError = error;
      }
      throw new Error(`timed out waiting for ${what} (${String(lastError)})\n${context()}`);
    },
    { timeout: timeoutMs, interval: 100 },
  );
}

export function writeConfig(file: string, lines: readonly string[]): void {
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Debian's chromium with a fresh profile in `userDataDir`; downloads accepted. */
export function launchChromium(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
}

/** The files of a ustar archive (regular files only). */
export function untar(buffer: Buffer): Map<string, string> {
  const files = new Map<string, string>();
  let offset = 0;
  while (offset + 512 <= buffer.length) {
    const header = buffer.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number): string =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix !== '' ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    offset += 512;
    if (type === '0' || type === '') files.set(name, buffer.subarray(offset, offset + size).toString('utf8'));
    offset += Math.ceil(size / 512) * 512;
  }
  return files;
}
