// Issue 15 item 7 in the daemon: accepted events that make no edge are counted by why, and the
// live sources expose it. `serve` in-process on loopback with a file source and a Hubble Relay
// source (the in-process fake relay) both carrying events without their destination port; the
// real /metrics and /readyz are read over HTTP; promtool (when installed) finds nothing wrong.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readinessJson } from '../../src/api/health.js';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { NO_EDGE_REASONS } from '../../src/flows/flow.js';
import { findBinary, requirePath, skipUnlessPresent } from '../alerts/binaries.js';
import { FakeRelay, tcpSyn, type RelayResponse } from '../fakes/fake-relay.js';
import { tempDir } from '../store/store-helpers.js';

const promtool = findBinary('promtool');
const T = Date.now() - 60_000;

/** A relay flow as `hubble observe -o json` prints it (RFC 3339 time, plain bool, zero port omitted). */
function jsonLine(item: RelayResponse): string {
  const flow = structuredClone(item.flow ?? {});
  const t = flow['time'] as { seconds: number; nanos: number };
  const time = new Date(t.seconds * 1000 + t.nanos / 1e6).toISOString();
  flow['time'] = time;
  flow['is_reply'] = (flow['is_reply'] as { value?: boolean }).value === true;
  const tcp = (flow['l4'] as { TCP: Record<string, unknown> }).TCP;
  if (tcp['destination_port'] === 0) delete tcp['destination_port'];
  return JSON.stringify({ flow, node_name: item.node_name, time });
}

/** The server's SYN-ACK of a connection: a reply (is_reply true), no edge. */
function synAck(timeMs: number): RelayResponse {
  const item = structuredClone(tcpSyn(timeMs, { srcPort: 8080, dstPort: 41000 }));
  const flow = item.flow as Record<string, unknown>;
  (flow['l4'] as { TCP: Record<string, unknown> }).TCP['flags'] = { SYN: true, ACK: true };
  flow['is_reply'] = { value: true };
  return item;
}

let dir: string;
let cleanup: () => void;
let relay: FakeRelay;
let daemon: Daemon;
let base: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('npa-no-edge-status-'));
  // File: one start, two SYNs without their port, one reply. Relay: one start, three without.
  const fileLines = [
    tcpSyn(T),
    tcpSyn(T + 1, { dstPort: 0 }),
    tcpSyn(T + 2, { dstPort: 0 }),
    synAck(T + 3),
  ].map(jsonLine);
  const flowFile = path.join(dir, 'hubble.jsonl');
  writeFileSync(flowFile, fileLines.join('\n') + '\n');
  relay = await new FakeRelay({
    history: [tcpSyn(T + 10, { dstPort: 9090 }), ...[11, 12, 13].map((s) => tcpSyn(T + s, { dstPort: 0 }))],
  }).start();
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    [
      'listen: "127.0.0.1:0"',
      `db: ${JSON.stringify(path.join(dir, 'flows.db'))}`,
      'sources:',
      '  - type: file',
      '    name: export',
      '    format: hubble',
      `    path: ${JSON.stringify(flowFile)}`,
      '  - type: hubble-relay',
      '    name: cluster',
      `    address: ${JSON.stringify(relay.address)}`,
      '',
    ].join('\n'),
  );
  const loaded = loadConfig({ file: configFile, env: {} });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  daemon = await startDaemon(loaded.config, { logger: pino({ level: 'silent' }) });
  base = `http://127.0.0.1:${daemon.address.port}`;
}, 30_000);

afterAll(async () => {
  await daemon?.stop();
  await relay?.stop();
  cleanup();
});

async function scrape(): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

function noEdgeSeries(text: string): Record<string, number> {
  const series: Record<string, number> = {};
  for (const m of text.matchAll(/^netpol_advisor_events_no_edge_total\{reason="([^"]+)"\} (\d+)$/gm))
    series[m[1] ?? ''] = Number(m[2]);
  return series;
}

describe('serve: events that made no edge, by reason', () => {
  it('counts them on /metrics, every reason a series from the start', async () => {
    await vi.waitFor(async () => expect(noEdgeSeries(await scrape())['missing-port']).toBe(5), {
      timeout: 20_000,
      interval: 50,
    });
    const text = await scrape();
    expect(text).toContain('# TYPE netpol_advisor_events_no_edge_total counter');
    expect(noEdgeSeries(text)).toEqual({
      ...Object.fromEntries(NO_EDGE_REASONS.map((reason) => [reason, 0])),
      'missing-port': 5,
      reply: 1,
    });
    expect(text).toMatch(/^netpol_advisor_events_accepted_total 8$/m);
  });

  it('reports them in /readyz, in the documented schema', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    const body = readinessJson.parse(await res.json());
    expect(body.ingest).toMatchObject({
      accepted: 8,
      rejected: 0,
      noEdgeByReason: { 'missing-port': 5, reply: 1 },
    });
    expect(Object.keys(body.ingest?.noEdgeByReason ?? {}).sort()).toEqual(['missing-port', 'reply']);
  });

  it.skipIf(skipUnlessPresent(promtool))('passes promtool check metrics', async () => {
    const result = spawnSync(requirePath(promtool), ['check', 'metrics'], {
      input: await scrape(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });
});
