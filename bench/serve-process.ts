// `serve` as a child process on a config file, for whatever measures or tests the daemon from
// outside: the benchmarks (bench/dashboard-browser.ts, bench/api-ingest.ts) run the built CLI as a
// user does; the tests (test/daemon, test/browser's harness) run the source under tsx, so no build
// is needed. Ready once it logged its listening address and /readyz answers 200; stopped with
// SIGTERM (SIGKILL after 10 s). No vitest here: the benches import it too.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** dir/config.yaml for `serve` on 127.0.0.1 port 0, its store `db` (in `dir` unless absolute), then `lines`. */
export function writeServeConfig(dir: string, db: string, lines: readonly string[]): string {
  const config = path.join(dir, 'config.yaml');
  const head = ['listen: "127.0.0.1:0"', `db: ${JSON.stringify(path.resolve(dir, db))}`];
  writeFileSync(config, `${[...head, ...lines].join('\n')}\n`);
  return config;
}

export interface ServeOptions {
  /** Node flags before the entry point (`--max-old-space-size=256`). */
  readonly nodeFlags?: readonly string[];
  /** `built`: bin/netpol-advisor.js (the default); `source`: src/cli/main-entry.ts under tsx. */
  readonly entry?: 'built' | 'source';
}

export interface ServeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServeChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** stdout and stderr interleaved as they came. */
  readonly output: () => string;
  readonly exited: Promise<ServeExit>;
  /** SIGTERM (SIGKILL if it has not exited 10 s later); resolves with how it exited. */
  readonly stop: () => Promise<ServeExit>;
}

export interface ServeProcess extends ServeChild {
  /** http://127.0.0.1:port, from the listening log line. */
  readonly base: string;
}

/** Spawns `serve --config config`, capturing its output; does not wait for anything. */
export function spawnServe(config: string, options: ServeOptions = {}): ServeChild {
  const entry =
    options.entry === 'source'
      ? ['--import', 'tsx', 'src/cli/main-entry.ts']
      : [path.join(ROOT, 'bin/netpol-advisor.js')];
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), ...entry, 'serve', '--config', config],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    output += chunk.toString();
  });
  const exited = new Promise<ServeExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    pid: child.pid ?? 0,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

const POLL_MS = 50;
const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, POLL_MS));

/** The address of the listening log line, once there; an error with the output if it exits or `timeoutMs` passes. */
async function listeningBase(serve: ServeChild, deadline: number): Promise<string> {
  for (;;) {
    for (const line of serve.output().split('\n')) {
      if (!line.includes('"listening"')) continue;
      const address = (JSON.parse(line) as { address?: string }).address;
      if (address !== undefined) return `http://${address}`;
    }
    if (serve.child.exitCode !== null || serve.child.signalCode !== null)
      throw new Error(`serve exited (${serve.child.exitCode ?? serve.child.signalCode}):\n${serve.output()}`);
    if (Date.now() > deadline) throw new Error(`serve did not listen:\n${serve.output()}`);
    await pause();
  }
}

/** `serve` spawned and ready (listening, /readyz 200) within `timeoutMs`; stopped if it is not. */
export async function startServeProcess(
  config: string,
  options: ServeOptions & { readonly timeoutMs?: number } = {},
): Promise<ServeProcess> {
  const serve = spawnServe(config, options);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  try {
    const base = await listeningBase(serve, deadline);
    while ((await fetch(`${base}/readyz`).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error(`serve did not get ready:\n${serve.output()}`);
      await pause();
    }
    return { ...serve, base };
  } catch (error) {
    await serve.stop();
    throw error;
  }
}
