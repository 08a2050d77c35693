// The built CLI's `serve` as a user runs it, for the benchmarks that measure the daemon from
// outside (bench/dashboard-browser.ts, bench/api-ingest.ts): spawned on a config file with the
// given node flags, ready once it logged its address and /readyz answers; stopped with SIGTERM.
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface ServeProcess {
  readonly base: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startServeProcess(
  config: string,
  nodeFlags: readonly string[] = [],
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [...nodeFlags, path.join(ROOT, 'bin/netpol-advisor.js'), 'serve', '--config', config],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const line = output.split('\n').find((l) => l.includes('"listening"'));
    const address = line !== undefined ? (JSON.parse(line) as { address?: string }).address : undefined;
    if (address !== undefined) {
      const base = `http://${address}`;
      while ((await fetch(`${base}/readyz`).catch(() => undefined))?.ok !== true)
        await new Promise((r) => setTimeout(r, 200));
      return {
        base,
        pid: child.pid ?? 0,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
