// Runs the real CLI (from source) as a child without blocking the test's event loop, for tests
// whose fakes (a kube API server, a writer) live in the test process.
import { spawn } from 'node:child_process';
import type { CliResult } from '../ingest/cli-helpers.js';
import { repoRoot } from '../ingest/cli-helpers.js';

export function runCliAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NETPOL_ADVISOR_DB: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
