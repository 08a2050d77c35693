// Issue 17 item 3: the daemon's /metrics, checked by the real tools. `promtool check metrics`
// finds nothing in demo mode nor with alerting configured; labelled counters have their series
// at 0 before the first event; OpenMetrics is served when asked for; a real Prometheus scrapes
// the daemon on loopback (it asks for OpenMetrics first) and a query through its HTTP API returns
// our metrics with their types.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { STREAM_PROTOCOL } from '../../src/http/stream.js';
import { daemonMetricRows } from '../../scripts/metrics-doc.js';
import { AlertReceiver } from '../fakes/alert-receiver.js';
import { findBinary, freePort, requirePath, skipUnlessPresent, startBinary, tryGet } from './binaries.js';

const promtool = findBinary('promtool');
const prometheus = findBinary('prometheus');
const OPENMETRICS_ACCEPT =
  'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';

function checkMetrics(text: string): { status: number | null; output: string } {
  const result = spawnSync(requirePath(promtool), ['check', 'metrics'], {
    input: text,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

let dir: string;
let receiver: AlertReceiver;

async function daemonWith(name: string, extra: string[]): Promise<{ daemon: Daemon; base: string }> {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    ['listen: "127.0.0.1:0"', `db: ${JSON.stringify(path.join(dir, `${name}.db`))}`, ...extra, ''].join('\n'),
  );
  const loaded = loadConfig({ file, env: {} });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const daemon = await startDaemon(loaded.config, { logger: pino({ level: 'silent' }) });
  return { daemon, base: `http://127.0.0.1:${daemon.address.port}` };
}

async function scrape(base: string, accept?: string): Promise<{ type: string; text: string }> {
  const res = await fetch(`${base}/metrics`, accept !== undefined ? { headers: { accept } } : {});
  expect(res.status).toBe(200);
  return { type: res.headers.get('content-type') ?? '', text: await res.text() };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-metrics-'));
  receiver = new AlertReceiver();
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('/metrics of the daemon', () => {
  let demo: { daemon: Daemon; base: string };
  let alerting: { daemon: Daemon; base: string };

  beforeAll(async () => {
    demo = await daemonWith('demo', []);
    alerting = await daemonWith('alerting', [
      'alerts:',
      `  - { type: alertmanager, url: "${receiver.baseUrl}" }`,
      `  - { type: webhook, url: "${receiver.baseUrl}/hook" }`,
      '  - { type: log }',
    ]);
    // Demo flows in (some of them policy drops), so the figures are not all zero.
    await vi.waitFor(
      async () =>
        expect((await scrape(demo.base)).text).toMatch(/^netpol_advisor_events_accepted_total [1-9]/m),
      { timeout: 20_000, interval: 50 },
    );
  }, 60_000);
  afterAll(async () => {
    await demo?.daemon.stop();
    await alerting?.daemon.stop();
  });

  it.skipIf(skipUnlessPresent(promtool))(
    'passes promtool check metrics without findings, in demo mode and with alerting configured',
    async () => {
      for (const { base } of [demo, alerting]) {
        const { type, text } = await scrape(base);
        expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
        expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
      }
      // The check is not vacuous: it flags a gauge named _total.
      expect(checkMetrics('# HELP x_total a\n# TYPE x_total gauge\nx_total 1\n').output).toContain(
        'non-counter metrics should not have "_total" suffix',
      );
    },
  );

  it('types monotonic counts as counters named _total, and starts labelled counters at 0', async () => {
    const { text } = await scrape(alerting.base);
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    for (const [name, type] of types) {
      if (name?.endsWith('_total') === true) expect({ name, type }).toEqual({ name, type: 'counter' });
      if (type === 'counter') expect(name).toMatch(/_total$/);
    }
    expect(types.get('netpol_advisor_source_events_total')).toBe('counter');
    expect(types.get('netpol_advisor_source_lost_events_total')).toBe('counter');
    expect(text).toContain('netpol_advisor_events_rejected_total{reason="oversized_line"} 0');
    for (const sink of ['alertmanager-0', 'webhook-1', 'log-2']) {
      for (const counter of [
        'alerts_sent_total',
        'alerts_failed_total',
        'alerts_retried_total',
        'alerts_rate_limited_total',
        'alertmanager_resend_failures_total',
      ]) {
        expect(text).toContain(`netpol_advisor_${counter}{sink="${sink}"}`);
      }
    }
    expect(text).toContain('netpol_advisor_alerts_firing{classification="regression"} 0');
    // The families served are exactly the ones the README's generated table documents.
    expect([...types.keys()].sort()).toEqual(
      daemonMetricRows()
        .map((r) => r.name)
        .sort(),
    );
  });

  it('counts connected WebSocket clients', async () => {
    const gauge = async (): Promise<string | undefined> =>
      /^netpol_advisor_stream_clients (\d+)$/m.exec((await scrape(demo.base)).text)?.[1];
    expect(await gauge()).toBe('0');
    const ws = new WebSocket(`${demo.base.replace('http', 'ws')}/api/v1/stream`, [STREAM_PROTOCOL]);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await vi.waitFor(async () => expect(await gauge()).toBe('1'), { timeout: 10_000, interval: 20 });
    ws.close();
    await vi.waitFor(async () => expect(await gauge()).toBe('0'), { timeout: 10_000, interval: 20 });
  });

  it('answers OpenMetrics when the Accept header prefers it, and the text format otherwise', async () => {
    const om = await scrape(demo.base, OPENMETRICS_ACCEPT);
    expect(om.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.text.endsWith('\n# EOF\n')).toBe(true);
    expect(om.text).toContain('# TYPE netpol_advisor_events_accepted counter\n');
    expect(om.text).toMatch(/^netpol_advisor_events_accepted_total [1-9]/m);
    expect(om.text).toMatch(/^netpol_advisor_batch_duration_seconds_bucket\{le="\+Inf"\} [1-9]/m);
    // The shared registry is left as it was: the text format still names the counter with _total.
    for (const accept of ['*/*', 'text/plain', 'application/openmetrics-text;q=0.1,text/plain;q=0.9']) {
      const plain = await scrape(demo.base, accept);
      expect(plain.type).toContain('text/plain');
      expect(plain.text).toContain('# TYPE netpol_advisor_events_accepted_total counter\n');
    }
  });

  it.skipIf(skipUnlessPresent(prometheus))(
    'is scraped by a real Prometheus on loopback and queried through its HTTP API',
    async () => {
      const port = await freePort();
      const promDir = path.join(dir, 'prometheus');
      mkdirSync(promDir);
      const target = new URL(demo.base).host;
      writeFileSync(
        path.join(promDir, 'prometheus.yml'),
        [
          'global:',
          '  scrape_interval: 1s',
          '  scrape_timeout: 1s',
          'scrape_configs:',
          '  - job_name: netpol-advisor',
          '    static_configs:',
          `      - targets: ["${target}"]`,
          '',
        ].join('\n'),
      );
      const prom = startBinary(requirePath(prometheus), [
        `--config.file=${path.join(promDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(promDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ]);
      const api = `http://127.0.0.1:${port}/api/v1`;
      try {
        const query = async (
          q: string,
        ): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
          const res = await tryGet(`${api}/query?query=${encodeURIComponent(q)}`);
          if (res === undefined) throw new Error(`prometheus not up yet: ${prom.output()}`);
          const body = (await res.json()) as {
            status: string;
            data: { result: { metric: Record<string, string>; value: [number, string] }[] };
          };
          expect(body.status).toBe('success');
          return body.data.result;
        };
        await vi.waitFor(
          async () => {
            if (prom.child.exitCode !== null) throw new Error(`prometheus exited: ${prom.output()}`);
            const result = await query('netpol_advisor_events_accepted_total');
            expect(result).toHaveLength(1);
            expect(result[0]?.metric).toMatchObject({ job: 'netpol-advisor', instance: target });
            expect(Number(result[0]?.value[1])).toBeGreaterThan(0);
          },
          { timeout: 30_000, interval: 200 },
        );
        const targets = (await (await fetch(`${api}/targets`)).json()) as {
          data: { activeTargets: { health: string; lastError: string }[] };
        };
        expect(targets.data.activeTargets).toEqual([
          expect.objectContaining({ health: 'up', lastError: '' }),
        ]);
        const sources = await query('netpol_advisor_source_events_total');
        expect(sources[0]?.metric).toMatchObject({ source: 'demo', type: 'demo' });
        // Prometheus asked for OpenMetrics and parsed it: the counter's metadata is under its
        // OpenMetrics family name (without _total), typed counter.
        const metadata = (await (
          await fetch(`${api}/metadata?metric=netpol_advisor_events_accepted`)
        ).json()) as { data: Record<string, { type: string }[]> };
        expect(metadata.data['netpol_advisor_events_accepted']?.[0]?.type).toBe('counter');
      } finally {
        await prom.stop();
      }
    },
    60_000,
  );
});
