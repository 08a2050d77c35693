// Issue 15 item 7: `ingest` says how many accepted lines made no edge, and why, in its summary
// and in --json: replies, TCP resets, blocked packets that start nothing, ICMP replies, socket
// trace events (Hubble), Calico flow log records another report counts, and events without the
// port their edge would key on (never a port-0 edge). Forwarded mid-stream packets, L7 records and
// Calico records of connections started earlier are evidence and are not in the count. The real
// CLI, spawned.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_EDGE_REASONS } from '../../src/flows/flow.js';
import { tempDir } from '../store/store-helpers.js';
import { repoRoot, runCli } from './cli-helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('netpol-noedge-')));
afterAll(() => cleanup());

const api = { identity: 40000, namespace: 'shop', pod_name: 'api-5f6b7c8d9b-qq4zt', labels: ['k8s:app=api'] };
const db = { identity: 40001, namespace: 'data', pod_name: 'postgres-0', labels: ['k8s:app=postgres'] };
let second = 0;
/** One Hubble event api → postgres (or back, `reverse`), as `hubble observe -o json` prints it. */
function hubble(l4: Record<string, unknown>, extra: Record<string, unknown> = {}, reverse = false): string {
  const time = new Date(Date.UTC(2026, 10, 20, 9, 0, second++)).toISOString();
  const [source, destination] = reverse ? [db, api] : [api, db];
  const [from, to] = reverse ? ['10.0.5.2', '10.0.4.2'] : ['10.0.4.2', '10.0.5.2'];
  return JSON.stringify({
    flow: {
      time,
      verdict: 'FORWARDED',
      IP: { source: from, destination: to, ipVersion: 'IPv4' },
      l4,
      source,
      destination,
      Type: 'L3_L4',
      ...extra,
    },
  });
}

const HUBBLE = [
  hubble({ TCP: { source_port: 40000, destination_port: 5432, flags: { SYN: true } } }, { is_reply: false }), // start: an edge
  hubble(
    { TCP: { source_port: 5432, destination_port: 40000, flags: { SYN: true, ACK: true } } },
    { is_reply: true },
    true,
  ), // reply
  hubble(
    { UDP: { source_port: 53, destination_port: 40001 } },
    { verdict: 'DROPPED', drop_reason_desc: 'CT_MAP_INSERTION_FAILED' },
    true,
  ), // blocked
  hubble({ TCP: { source_port: 40000, destination_port: 5432, flags: { RST: true } } }), // tcp-reset
  hubble(
    { TCP: { source_port: 40002, destination_port: 5432, flags: { ACK: true } } },
    { verdict: 'DROPPED', is_reply: false, drop_reason_desc: 'CT_UNKNOWN' },
  ), // blocked
  hubble({ ICMPv4: { type: 0 } }, {}, true), // icmp-reply
  hubble({ TCP: { source_port: 40000, destination_port: 5432 } }, { Type: 'SOCK' }), // socket-event
  hubble(
    { TCP: { source_port: 40004, destination_port: 5432, flags: { ACK: true, PSH: true } } },
    { is_reply: false },
  ), // evidence: not counted
  // Issue 15: a mid-stream packet without its destination port (proto3 JSON omits a zero port), one
  // whose ports cannot name the server (is_reply unset, one port absent) and a SYN without one:
  // never a port-0 edge.
  hubble({ TCP: { source_port: 40005, flags: { ACK: true, PSH: true } } }, { is_reply: false }), // missing-port
  hubble({ TCP: { source_port: 40006, flags: { ACK: true } } }), // missing-port
  hubble({ TCP: { destination_port: 5432, flags: { ACK: true } } }), // missing-port
  hubble({ TCP: { source_port: 40007, flags: { SYN: true } } }, { is_reply: false }), // missing-port
  '',
];

function calico(reporter: 'src' | 'dst', started: number): string {
  return JSON.stringify({
    start_time: 1741083300,
    end_time: 1741083600,
    source_ip: '10.0.1.10',
    source_name: 'web-7d4b9c8f6d-x2k9p',
    source_name_aggr: 'web-7d4b9c8f6d-*',
    source_namespace: 'shop',
    source_port: null,
    source_type: 'wep',
    source_labels: { labels: ['app=web'] },
    dest_ip: '10.0.1.23',
    dest_name: 'api-5f6b7c8d9b-qq4zt',
    dest_name_aggr: 'api-5f6b7c8d9b-*',
    dest_namespace: 'shop',
    dest_port: 8080,
    dest_type: 'wep',
    dest_labels: { labels: ['app=api'] },
    proto: 'tcp',
    action: 'allow',
    reporter,
    policies: { enforced_policies: [] },
    num_flows: 3,
    num_flows_started: started,
    num_flows_completed: 3,
    host: 'node-a',
  });
}

describe('ingest: accepted lines that made no edge', () => {
  it('counts Hubble events by why, in the summary and in --json', () => {
    const file = path.join(dir, 'hubble.jsonl');
    writeFileSync(file, HUBBLE.join('\n'));
    const text = runCli(['ingest', '--format', 'hubble', '--db', path.join(dir, 'hubble.db'), file]);
    expect(text.stderr).toBe('');
    expect(text.status).toBe(0);
    expect(text.stdout).toBe(
      'accepted 12, rejected 0; 1 edges in the store; 10 accepted line(s) made no edge: 4 missing-port, 2 blocked-mid-connection, 1 icmp-reply, 1 reply, 1 socket-event, 1 tcp-reset (see ingest --help)\n',
    );
    const json = runCli([
      'ingest',
      '--format',
      'hubble',
      '--db',
      path.join(dir, 'hubble-json.db'),
      '--json',
      file,
    ]);
    expect(JSON.parse(json.stdout)).toEqual({
      accepted: 12,
      rejected: 0,
      rejectedByReason: {},
      edges: 1,
      noEdgeByReason: {
        reply: 1,
        'blocked-mid-connection': 2,
        'tcp-reset': 1,
        'icmp-reply': 1,
        'socket-event': 1,
        'missing-port': 4,
      },
    });
    // The one edge is the SYN's and the port-5432 stream's: nothing on port 0.
    const flows = runCli(['flows', '--db', path.join(dir, 'hubble-json.db'), '--json']);
    expect(
      (JSON.parse(flows.stdout) as { port: number | null; count: number; established: number }[]).map((e) => [
        e.port,
        e.count,
        e.established,
      ]),
    ).toEqual([[5432, 1, 1]]);
  });

  it('counts Calico flow log records another report counts; earlier-started ones are evidence', () => {
    const file = path.join(dir, 'calico.jsonl');
    const portless = JSON.stringify({ ...(JSON.parse(calico('dst', 0)) as object), dest_port: null });
    writeFileSync(
      file,
      [calico('dst', 3), calico('src', 3), calico('dst', 0), calico('src', 0), portless].join('\n') + '\n',
    );
    const json = runCli([
      'ingest',
      '--format',
      'calico-flowlog',
      '--db',
      path.join(dir, 'calico.db'),
      '--json',
      file,
    ]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      accepted: 5,
      edges: 1,
      noEdgeByReason: { 'other-end-report': 2, 'missing-port': 1 },
    });
    // The record of connections started in an earlier interval is evidence on the same edge.
    const flows = runCli(['flows', '--db', path.join(dir, 'calico.db'), '--json']);
    expect(JSON.parse(flows.stdout)).toMatchObject([
      { port: 8080, count: 3, established: 1, evidence: 'connection-start' },
    ]);
  });

  it('says nothing more when every line made an edge', () => {
    const file = path.join(dir, 'starts.jsonl');
    writeFileSync(file, `${HUBBLE[0] ?? ''}\n`);
    const text = runCli(['ingest', '--format', 'hubble', '--db', path.join(dir, 'starts.db'), file]);
    expect(text.stdout).toBe('accepted 1, rejected 0; 1 edges in the store\n');
  });

  it('docs/cli.md names every reason the code counts', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs/cli.md'), 'utf8');
    // NoEdgeReason is the type of this list (flow.ts): every reason the code can count.
    expect(NO_EDGE_REASONS.length).toBeGreaterThan(5);
    for (const reason of NO_EDGE_REASONS) expect(doc, reason).toContain(`  ${reason} `);
  });
});
