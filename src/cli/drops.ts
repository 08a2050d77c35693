// `netpol-advisor drops`: the blocked paths in the store, classified, explained against a cluster
// snapshot and each with its minimal fix — contract JSON with --json, a table otherwise.
import { buildDropReports, type DropReport, type PeerJson } from '../drops/report.js';
import { loadClusterSnapshot } from '../k8s/snapshot-file.js';
import { writeIgnored } from './ignored-output.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { openReadStore } from './open-db.js';
import { UsageError, defaultDbPath, parseCommandArgs } from './args.js';
import type { Command } from './main.js';

const HELP = `usage: netpol-advisor drops [--db FILE] [--cluster SNAPSHOT] [--namespace NS] [--since DURATION] [--json]

Lists the traffic dropped by network policy, one line per blocked path, classified as
regression, dns, expected-by-baseline, likely-legitimate, suspicious or unknown, with the
evidence. With --cluster, explains which policies deny it and proposes the minimal
NetworkPolicy that admits exactly that path (and what else that fix would open).

  --db FILE          the database (default ./netpol-advisor.db, env NETPOL_ADVISOR_DB)
  --cluster PATH     cluster snapshot (kubectl get … -o json/yaml, files or a directory)
  --namespace NS     only paths with NS on either side
  --since DURATION   only paths dropping within DURATION (e.g. 30m, 6h, 7d)
  --json             the contract's JSON array
`;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(text: string): number {
  const match = /^(\d{1,9})(s|m|h|d)$/.exec(text);
  if (match === null)
    throw new UsageError(`--since: expected a duration such as 30m, 6h or 7d, got "${text}"`);
  return Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000);
}

function peer(p: PeerJson): string {
  const entity = 'namespace' in p ? undefined : p.entity;
  const named =
    entity === undefined
      ? undefined
      : `${entity.kind} ${entity.namespace !== undefined ? `${entity.namespace}/` : ''}${entity.name}`;
  const text = 'namespace' in p ? `${p.namespace}/${p.workload ?? '?'}` : (p.ip ?? named ?? p.kind);
  return text.replace(/\p{Cc}/gu, '?');
}

function table(items: readonly DropReport[]): string {
  const rows = items.map((r) => [
    r.classification,
    peer(r.source),
    peer(r.destination),
    `${r.protocol}/${r.port ?? '-'}`,
    String(r.count),
    r.lastSeen,
    r.deniedBy.join(',').replace(/\p{Cc}/gu, '?') || '-',
    r.fix.length > 0 ? `${r.fix.length} policy(ies)` : '-',
  ]);
  const header = ['CLASS', 'SOURCE', 'DESTINATION', 'PORT', 'COUNT', 'LAST SEEN', 'DENIED BY', 'FIX'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    db: { type: 'string' },
    cluster: { type: 'string', multiple: true },
    namespace: { type: 'string' },
    since: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const sinceMs = values.since !== undefined ? Date.now() - parseDurationMs(values.since) : undefined;
  let snapshot: ClusterSnapshot | undefined;
  if (values.cluster !== undefined && values.cluster.length > 0) {
    const loaded = await loadClusterSnapshot(values.cluster);
    if (!loaded.ok) throw new UsageError(`--cluster: ${loaded.problems[0] ?? 'invalid snapshot'}`);
    snapshot = loaded.snapshot;
  }
  const db = values.db ?? defaultDbPath();
  const store = await openReadStore(db);
  let result;
  try {
    result = buildDropReports(store.iterateEdges(), {
      ...(sinceMs !== undefined ? { sinceMs } : {}),
      ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
      ...(snapshot !== undefined ? { snapshot } : {}),
    });
  } finally {
    store.close();
  }
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(result.items, null, 2)}\n`);
    writeIgnored(snapshot, true);
    return 0;
  }
  process.stdout.write(
    result.items.length === 0 ? 'no traffic blocked by policy\n' : `${table(result.items)}\n`,
  );
  if (result.nonPolicy.edges > 0) {
    process.stdout.write(
      `\n${result.nonPolicy.connections} connection(s) on ${result.nonPolicy.edges} path(s) dropped for non-policy reasons (not classified)\n`,
    );
  }
  writeIgnored(snapshot, false);
  return 0;
}

export const dropsCommand: Command = {
  summary: 'the blocked flows, classified, explained, with a suggested fix',
  run,
};
