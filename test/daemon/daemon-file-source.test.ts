// The daemon in-process with a `type: file` source (tailing a Hubble JSON file): lines appended
// while it runs are served by the API, and after a restart the file's checkpoint means nothing
// is ingested twice.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';

const demo = readFileSync(path.resolve(import.meta.dirname, '../../demo/flows.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);
const silent = pino({ level: 'silent' });

let dir: string;
let config: Config;
const flowFile = () => path.join(dir, 'events.log');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-daemon-file-'));
  writeFileSync(flowFile(), demo.slice(0, 200).join('\n') + '\n');
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    `listen: "127.0.0.1:0"\ndb: ${JSON.stringify(path.join(dir, 'flows.db'))}\nsources:\n  - type: file\n    name: hubble-export\n    format: hubble\n    path: ${JSON.stringify(flowFile())}\n`,
  );
  const loaded = loadConfig({ file, env: {} });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  config = loaded.config;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function accepted(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^netpol_advisor_events_accepted_total (\d+)$/m.exec(text)?.[1] ?? NaN);
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await cond())) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 25 },
  );
}

describe('daemon with a file source', () => {
  it('tails the file into the API and resumes from its checkpoint after a restart', async () => {
    expect(config.demoMode).toBe(false);
    let daemon: Daemon = await startDaemon(config, { logger: silent });
    let base = `http://127.0.0.1:${daemon.address.port}`;
    try {
      const ready = (await (await fetch(`${base}/readyz`)).json()) as {
        ready: boolean;
        sources: { name: string; type: string }[];
      };
      expect(ready).toMatchObject({ ready: true, sources: [{ name: 'hubble-export', type: 'file' }] });
      await until('the first 200 lines', async () => (await accepted(base)) === 200);
      appendFileSync(flowFile(), demo.slice(200, 300).join('\n') + '\n');
      await until('the appended 100 lines', async () => (await accepted(base)) === 300);
    } finally {
      await daemon.stop();
    }

    daemon = await startDaemon(config, { logger: silent });
    base = `http://127.0.0.1:${daemon.address.port}`;
    try {
      appendFileSync(flowFile(), demo.slice(300, 310).join('\n') + '\n');
      await until('the 10 lines appended after the restart', async () => (await accepted(base)) >= 10);
      expect(await accepted(base)).toBe(10);
      const page = (await (await fetch(`${base}/api/v1/flows?limit=1000`)).json()) as { items: unknown[] };
      expect(page.items.length).toBeGreaterThan(0);
    } finally {
      await daemon.stop();
    }
  }, 60_000);

  it('refuses a token file that is missing, with the setting named', async () => {
    const loaded = loadConfig({
      env: {
        NETPOL_ADVISOR_AUTH_MODE: 'token',
        NETPOL_ADVISOR_AUTH_TOKEN_FILE: path.join(dir, 'missing-token'),
      },
      flags: { listen: '127.0.0.1:0', db: path.join(dir, 'x.db') },
    });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    await expect(startDaemon(loaded.config, { logger: silent })).rejects.toThrow(
      /^auth\.tokenFile: cannot read .*ENOENT/,
    );
  });

  it('builds hubble-relay and goldmane sources from config; an unreachable upstream does not block readiness', async () => {
    const file = path.join(dir, 'grpc.yaml');
    writeFileSync(
      file,
      `listen: "127.0.0.1:0"\ndb: ${JSON.stringify(path.join(dir, 'grpc.db'))}\nsources:\n  - type: hubble-relay\n    address: "127.0.0.1:1"\n  - type: goldmane\n    address: "127.0.0.1:1"\n`,
    );
    const loaded = loadConfig({ file, env: {} });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const daemon = await startDaemon(loaded.config, { logger: silent });
    try {
      const res = await fetch(`http://127.0.0.1:${daemon.address.port}/readyz`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { sources: { name: string; type: string; state: string }[] };
      expect(body.sources.map((s) => [s.name, s.type])).toEqual([
        ['hubble-relay-0', 'hubble-relay'],
        ['goldmane-1', 'goldmane'],
      ]);
      for (const source of body.sources)
        expect(['starting', 'connected', 'reconnecting']).toContain(source.state);
    } finally {
      await daemon.stop();
    }
  });
});
