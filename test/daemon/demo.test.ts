// The demo as `npm start` runs it: the real `serve` in demo mode (no source, no snapshot given) as
// a child process. It must print one human line with its URL, load the bundled demo inventory
// (coverage and default deny on the overview, doctor findings), show every drop class with its
// explanation and fix, the non-policy drops, and raise at least one alert through the real
// alerting path (the log sink demo mode falls back to). Also: the bundled files are what
// scripts/generate-demo.ts generates.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnServe, type ServeChild, writeServeConfig } from '../../bench/serve-process.js';
import { CLASSIFICATIONS } from '../../src/drops/types.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
let dir: string;
let serve: ServeChild;

interface DropItem {
  classification: string;
  evidence: string[];
  fix: unknown[];
  fixWarnings: string[];
  explanation?: { summary: string };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

let base = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-demo-'));
  // Demo defaults except: port 0, one pass, and alerts evaluated every second instead of 30 s.
  const config = writeServeConfig(dir, 'demo.db', [
    'demo:',
    '  loop: false',
    'alerting:',
    '  evaluateIntervalSec: 1',
  ]);
  // Ready when it says so in its one human line (the demo's contract, tested below).
  serve = spawnServe(config, { entry: 'source' });
  base = await vi.waitFor(
    () => {
      const match = /demo dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.exec(serve.stderr());
      if (match === null) throw new Error(`no URL line yet; stderr: ${serve.stderr()}`);
      return match[1] as string;
    },
    { timeout: 60_000, interval: 50 },
  );
  // Every demo line stored (the first pass is time-shifted to now).
  const lines = readFileSync(path.join(repoRoot, 'demo/flows.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0).length;
  await vi.waitFor(
    async () => {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      if (!metrics.includes(`netpol_advisor_events_accepted_total ${lines}\n`))
        throw new Error('not all demo lines stored yet');
    },
    { timeout: 60_000, interval: 100 },
  );
}, 120_000);

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the demo (serve with no source)', () => {
  it('prints exactly one human line, with the URL', () => {
    const human = serve
      .stderr()
      .split('\n')
      .filter((l) => l.length > 0);
    expect(human).toEqual([
      expect.stringMatching(/^netpol-advisor: demo dashboard at http:\/\/127\.0\.0\.1:\d+\/ /),
    ]);
  });

  it('shows every drop class with its explanation and fix, and the non-policy drops', async () => {
    const drops = await getJson<{
      items: DropItem[];
      nonPolicy: { edges: number; byReason: Record<string, number> };
    }>(`${base}/api/v1/drops?limit=500`);
    for (const classification of CLASSIFICATIONS) {
      const items = drops.items.filter((d) => d.classification === classification);
      expect(items.length, classification).toBeGreaterThan(0);
      for (const item of items) {
        expect(item.evidence.length, classification).toBeGreaterThan(0);
        expect(item.explanation?.summary, classification).toMatch(/isolated for (ingress|egress) by/);
        expect(item.fix.length, `${classification}: ${item.fixWarnings.join('; ')}`).toBeGreaterThan(0);
      }
    }
    expect(drops.nonPolicy.byReason['CT_MAP_INSERTION_FAILED']).toBeGreaterThan(0);
  });

  it('raises at least one alert through the alerting path', async () => {
    const alerts = await vi.waitFor(
      async () => {
        const body = await getJson<{ items: { status: string; summary: string }[] }>(`${base}/api/v1/alerts`);
        if (!body.items.some((a) => a.status === 'firing')) throw new Error('no firing alert yet');
        return body.items;
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(alerts.find((a) => a.status === 'firing')?.summary).toContain(
      'monitoring/prometheus-k8s → shop/redis TCP/9121',
    );
    // The log sink delivered it: one JSON log line on stdout.
    await vi.waitFor(() => expect(serve.stdout()).toContain('"msg":"blocked traffic"'), {
      timeout: 30_000,
      interval: 100,
    });
  });

  it('loads the demo inventory: coverage, default deny, doctor findings', async () => {
    const namespaces = await getJson<{
      items: {
        name: string;
        coverage: { defaultDenyIngress: boolean; pods: number; podsSelected: number };
      }[];
    }>(`${base}/api/v1/namespaces`);
    const shop = namespaces.items.find((n) => n.name === 'shop');
    expect(shop?.coverage).toMatchObject({ defaultDenyIngress: true });
    expect(shop?.coverage.pods).toBeGreaterThan(0);
    expect(shop?.coverage.podsSelected).toBe(shop?.coverage.pods);
    const findings = await getJson<{ items: { kind: string }[] } | { kind: string }[]>(
      `${base}/api/v1/diagnostics`,
    );
    const kinds = new Set((Array.isArray(findings) ? findings : findings.items).map((f) => f.kind));
    for (const kind of ['dns-blocked', 'default-deny-blocks', 'selector-matches-nothing', 'non-policy-drops'])
      expect(kinds, kind).toContain(kind);
  });

  it('observes long enough that the demo workloads are not all low confidence', async () => {
    const recommendations = await getJson<{ items?: unknown[] } & Record<string, unknown>>(
      `${base}/api/v1/recommendations?namespace=shop`,
    );
    const text = JSON.stringify(recommendations);
    expect(text.match(/"netpol-advisor.io\/confidence":"normal"/g)?.length ?? 0).toBeGreaterThan(0);
  });
});

describe('the bundled demo files', () => {
  it('are what scripts/generate-demo.ts writes', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'npa-demo-gen-'));
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/generate-demo.ts', out], {
        cwd: repoRoot,
        stdio: 'pipe',
      });
      for (const file of ['flows.jsonl', 'cluster.json']) {
        expect(
          readFileSync(path.join(out, file), 'utf8') ===
            readFileSync(path.join(repoRoot, 'demo', file), 'utf8'),
          file,
        ).toBe(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
