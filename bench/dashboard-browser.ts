// The browser side of the dashboard benchmarks (bench/dashboard.ts, bench/dashboard-namespace.ts):
// the real `serve` (dist/, deploy/base's NODE_OPTIONS heap limit, read from the manifest) on DIR/advisor.db and
// DIR/cluster.json with an empty file source; Debian's Chromium through playwright-core; one page
// load measured as time to the page's data-ready mark, bytes over the wire (CDP
// encodedDataLength, compressed as sent), the largest response and the DOM size.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type BrowserContext } from 'playwright-core';
import { parse } from 'yaml';
import { startServeProcess, writeServeConfig, type ServeProcess } from './serve-process.js';

export interface Load {
  readonly ms: number;
  readonly bytes: number;
  /** Of `bytes`, the responses of /api/. */
  readonly apiBytes: number;
  readonly largest: number;
  readonly largestUrl: string;
  readonly dom: number;
  readonly state: string;
}

/** The NODE_OPTIONS flags deploy/base's Deployment gives the daemon (its heap limit). */
function shippedNodeFlags(): string[] {
  const file = path.join(import.meta.dirname, '../deploy/base/deployment.yaml');
  const deployment = parse(readFileSync(file, 'utf8')) as {
    spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } };
  };
  const env = deployment.spec.template.spec.containers[0]?.env ?? [];
  return (env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '').split(/\s+/).filter((f) => f !== '');
}

export async function startServe(dir: string): Promise<ServeProcess> {
  writeFileSync(path.join(dir, 'empty.jsonl'), '');
  const config = writeServeConfig(dir, 'advisor.db', [
    'logLevel: info',
    'sources:',
    '  - type: file',
    '    name: none',
    '    format: hubble',
    `    path: ${JSON.stringify(path.join(dir, 'empty.jsonl'))}`,
    'kubernetes:',
    '  enabled: false',
    `  snapshot: ${JSON.stringify(path.join(dir, 'cluster.json'))}`,
  ]);
  return startServeProcess(config, { nodeFlags: shippedNodeFlags() });
}

export async function load(context: BrowserContext, base: string, hash: string): Promise<Load> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  let bytes = 0;
  let apiBytes = 0;
  let largest = 0;
  let largestUrl = '';
  cdp.on('Network.responseReceived', (e: { requestId: string; response: { url: string } }) =>
    urls.set(e.requestId, e.response.url),
  );
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
    bytes += e.encodedDataLength;
    if ((urls.get(e.requestId) ?? '').includes('/api/')) apiBytes += e.encodedDataLength;
    if (e.encodedDataLength > largest) {
      largest = e.encodedDataLength;
      largestUrl = urls.get(e.requestId) ?? '';
    }
  });
  const started = performance.now();
  await page.goto(`${base}/${hash}`);
  const handle = await page.waitForSelector('.page[data-ready="true"], .page[data-ready="error"]', {
    timeout: 600_000,
  });
  const ms = performance.now() - started;
  const state = (await handle.getAttribute('data-ready')) ?? '';
  await new Promise((r) => setTimeout(r, 300));
  const dom = await page.evaluate<number>("document.getElementsByTagName('*').length");
  await page.close();
  return { ms, bytes, apiBytes, largest, largestUrl: largestUrl.replace(base, ''), dom, state };
}

export function vmHwmKiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

/** Debian's Chromium with a fresh profile in `dir`, as the dashboard benchmarks drive it. */
export function launchBrowser(dir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
