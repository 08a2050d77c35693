// The journal source against a stand-in `journalctl` (a real child process printing kernel lines
// the way `journalctl -k -f -o short-iso-precise` does, then following forever).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Flow, ParseResult } from '../../src/flows/flow.js';
import type { PodInfo } from '../../src/policy/model.js';
import { JOURNALCTL_ARGS, JournalSource } from '../../src/sources/journal-source.js';
import type { FlowSink } from '../../src/sources/source.js';

const LINES = [
  '2025-03-04T10:15:29.000001+0000 node-a kernel: eth0: link up, 10Gbps',
  '2025-03-04T10:15:30.123456+0000 node-a kernel: calico-packet: IN=cali1 OUT=cali2 MAC= SRC=10.0.1.23 DST=10.0.2.45 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=45678 DPT=5432 WINDOW=64240 RES=0x00 SYN URGP=0',
  '2025-03-04T10:15:30.223456+0000 node-a kernel: calico-packet: IN=cali2 OUT=cali1 MAC= SRC=10.0.2.45 DST=10.0.1.23 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=0 DF PROTO=TCP SPT=5432 DPT=45678 WINDOW=65160 RES=0x00 ACK SYN URGP=0',
  '2025-03-04T10:15:31.000000+0000 node-a kernel: calico-drop: IN=cali1 OUT=eth0 MAC= SRC=10.0.1.23 DST=203.0.113.9 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=2 DF PROTO=TCP SPT=45679 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0',
];

let dir: string;
let fake: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-journal-'));
  fake = path.join(dir, 'journalctl');
  writeFileSync(
    fake,
    [
      `#!${process.execPath}`,
      `require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'argv.json'))}, JSON.stringify(process.argv.slice(2)));`,
      `const lines = ${JSON.stringify(LINES)};`,
      "if (process.env.SPLIT) { process.stdout.write(lines.slice(0, 2).join('\\n') + '\\n'); setTimeout(() => process.stdout.write(lines.slice(2).join('\\n') + '\\n'), 100); }",
      "else process.stdout.write(lines.join('\\n') + '\\n');",
      'setInterval(() => {}, 1000);',
      '',
    ].join('\n'),
  );
  chmodSync(fake, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class RecordingSink implements FlowSink {
  readonly results: ParseResult[] = [];
  private full = false;
  private release: (() => void) | undefined;
  constructor(private readonly capacity = Infinity) {}
  push(result: ParseResult): boolean {
    this.results.push(result);
    this.full = this.results.length >= this.capacity;
    return !this.full;
  }
  drained(): Promise<void> {
    return this.full
      ? new Promise((resolve) => {
          this.release = resolve;
        })
      : Promise.resolve();
  }
  drain(): void {
    this.full = false;
    this.release?.();
  }
}

async function until(what: string, cond: () => boolean): Promise<void> {
  await vi.waitFor(
    () => {
      if (!cond()) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: 10_000, interval: 10 },
  );
}

const flows = (sink: RecordingSink): Flow[] => sink.results.flatMap((r) => (r.ok ? [r.flow] : []));

describe('journal source', () => {
  it('follows journalctl -k, parses only Log rule lines and names the pods behind the addresses', async () => {
    const pods: Record<string, PodInfo> = {
      '10.0.1.23': {
        namespace: 'shop',
        name: 'api-1',
        labels: { app: 'api' },
        ips: ['10.0.1.23'],
        hostNetwork: false,
        ports: [],
        workload: { kind: 'Deployment', name: 'api' },
      },
      '10.0.2.45': {
        namespace: 'data',
        name: 'postgres-0',
        labels: { app: 'postgres' },
        ips: ['10.0.2.45'],
        hostNetwork: false,
        ports: [],
        workload: { kind: 'StatefulSet', name: 'postgres' },
      },
    };
    const source = new JournalSource({ name: 'kernel', command: fake, podAt: (ip) => pods[ip] });
    const sink = new RecordingSink();
    await source.start(sink);
    try {
      await until('three Log rule lines', () => sink.results.length === 3);
      expect(JSON.parse(readFileSync(path.join(dir, 'argv.json'), 'utf8'))).toEqual(JOURNALCTL_ARGS);
      expect(sink.results.every((r) => r.ok)).toBe(true); // the link-up line was skipped, not rejected
      const [syn, reply, drop] = flows(sink);
      expect(syn).toMatchObject({
        isConnectionStart: true,
        verdict: 'forwarded',
        destinationPort: 5432,
        source: { kind: 'pod', namespace: 'shop', workload: { name: 'api' } },
        destination: { kind: 'pod', namespace: 'data', pod: 'postgres-0' },
      });
      expect(reply?.isConnectionStart).toBe(false);
      expect(drop).toMatchObject({ verdict: 'dropped', destination: { ip: '203.0.113.9' } });
      expect(source.status()).toMatchObject({ state: 'connected', events: 3, errors: 0 });
    } finally {
      await source.stop();
    }
    expect(source.status().state).toBe('stopped');
  });

  it('pauses journalctl while the pipeline is full and loses nothing', async () => {
    // Two writes 100 ms apart: the second must wait until the pipeline drains.
    process.env['SPLIT'] = '1';
    const source = new JournalSource({ name: 'kernel', command: fake });
    const sink = new RecordingSink(1);
    await source.start(sink);
    delete process.env['SPLIT'];
    try {
      await until('the first line', () => sink.results.length >= 1);
      await new Promise((r) => setTimeout(r, 400));
      expect(sink.results).toHaveLength(1);
      sink.drain();
      await until('every line', () => sink.results.length === 3);
    } finally {
      await source.stop();
    }
  });

  it('reports a journalctl that cannot run and keeps retrying', async () => {
    const source = new JournalSource({
      name: 'kernel',
      command: path.join(dir, 'missing'),
      restartMs: 60_000,
    });
    await source.start(new RecordingSink());
    try {
      await until('the failure', () => source.status().errors === 1);
      expect(source.status()).toMatchObject({ state: 'reconnecting' });
      expect(source.status().lastError).toContain('cannot run');
    } finally {
      await source.stop();
    }
  });
});
