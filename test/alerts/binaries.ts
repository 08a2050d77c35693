// The real Prometheus-ecosystem binaries (Debian's prometheus, prometheus-alertmanager, promtool)
// for the integration tests: found on PATH, started on a free loopback port with their state in
// a temp dir, stopped by pid. A missing binary skips the suite on a dev machine and fails it
// under CI=true (.ci/run installs them).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Binary {
  readonly name: string;
  readonly path: string | undefined;
}

export function findBinary(name: string): Binary {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const resolved = found.status === 0 ? found.stdout.trim() : '';
  return { name, path: resolved !== '' ? resolved : undefined };
}

export const isCi = process.env['CI'] === 'true';

/** Skip only off CI: under CI=true a missing binary runs the suite, whose first step fails. */
export function skipUnlessPresent(...binaries: Binary[]): boolean {
  return !isCi && binaries.some((b) => b.path === undefined);
}

export function requirePath(binary: Binary): string {
  if (binary.path === undefined)
    throw new Error(`${binary.name} is not installed (Debian package; .ci/run installs it when missing)`);
  return binary.path;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface RunningBinary {
  readonly child: ChildProcess;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export function startBinary(path: string, args: readonly string[]): RunningBinary {
  const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** GET a URL, undefined while it refuses connections. */
export async function tryGet(url: string): Promise<Response | undefined> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(5000) });
  } catch {
    return undefined;
  }
}
