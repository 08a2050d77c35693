// Spawning the real CLI (from source, through tsx) and reading back what it stored.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { edgeToJson } from '../../src/store/edge-json.js';
import { openStore } from '../../src/store/store.js';
import type { StoreTotals } from '../../src/store/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const entry = ['--import', 'tsx', 'src/cli/main-entry.ts'];

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: string[], input?: string | Buffer): CliResult {
  const result = spawnSync(process.execPath, [...entry, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    input,
    env: { ...process.env, NETPOL_ADVISOR_DB: '' },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [...entry, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface StoreSnapshot {
  readonly totals: StoreTotals;
  readonly edges: unknown[];
}

/** Everything a run left in the store, ids dropped (they depend on insertion order only). */
export function snapshot(db: string): StoreSnapshot {
  const store = openStore(db, { mustExist: true });
  try {
    const edges = [...store.iterateEdges()].map((edge) => {
      const { id: _id, ...rest } = edgeToJson(edge);
      return rest;
    });
    edges.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    return { totals: store.totals(), edges };
  } finally {
    store.close();
  }
}
