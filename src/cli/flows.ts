// `netpol-advisor flows`: the aggregated observed flows (edges), as a table or as the JSON array
// of contracts.md (`flows --json`).
import { VERDICTS, type Verdict } from '../flows/flow.js';
import type { EdgePeer } from '../flows/edge.js';
import { edgeToJson } from '../store/edge-json.js';
import { openReadStore } from './open-db.js';
import type { EdgeQuery, EdgeRecord } from '../store/types.js';
import { defaultDbPath, parseCommandArgs, parseIntegerOption, UsageError } from './args.js';
import type { Command } from './main.js';
import { peerText as edgePeerText } from '../flows/peer-text.js';

const HELP = `usage: netpol-advisor flows [--db FILE] [--namespace NS] [--verdict V] [--limit N] [--json]

Lists the connections seen, one line per distinct path: source → destination, protocol, port,
verdict (forwarded or dropped), how many connections and when.

options:
  --db FILE          the database (default $NETPOL_ADVISOR_DB or ./netpol-advisor.db)
  --namespace NS     only paths whose source or destination is in NS
  --verdict V        forwarded, dropped, audit or error
  --limit N          at most N paths (default: all)
  --json             a JSON array, one object per path (as the items of GET /api/v1/flows)
  -h, --help         this help
`;

function peerText(peer: EdgePeer, names: readonly string[]): string {
  const name = peer.kind === 'pod' ? undefined : names[0];
  return `${edgePeerText(peer)}${name !== undefined ? ` (${name})` : ''}`;
}

function table(edges: readonly EdgeRecord[]): string {
  const header = ['SOURCE', 'DESTINATION', 'PORT', 'VERDICT', 'COUNT', 'LAST SEEN'];
  const rows = edges.map((e) => [
    peerText(e.source, e.sourceNames),
    peerText(e.destination, e.destinationNames),
    `${e.port ?? '-'}/${e.protocol}`,
    e.verdict,
    String(e.count),
    new Date(e.lastSeenMs).toISOString(),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // Names come from flow data: strip control characters before they reach a terminal.
  const clean = (text: string): string => text.replace(/\p{Cc}/gu, '?');
  return [header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => clean(cell).padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    db: { type: 'string' },
    namespace: { type: 'string' },
    verdict: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const verdict = values.verdict;
  if (verdict !== undefined && !(VERDICTS as readonly string[]).includes(verdict)) {
    throw new UsageError(`--verdict: unknown verdict "${verdict}" (expected ${VERDICTS.join(', ')})`);
  }
  const limit =
    values.limit !== undefined
      ? parseIntegerOption('limit', values.limit, 1, Number.MAX_SAFE_INTEGER)
      : Infinity;
  const db = values.db ?? defaultDbPath();
  const store = await openReadStore(db);
  const filter: Omit<EdgeQuery, 'limit' | 'cursor'> = {
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(verdict !== undefined ? { verdict: verdict as Verdict } : {}),
  };
  try {
    const edges: EdgeRecord[] = [];
    for (const edge of store.iterateEdges(filter)) {
      if (edges.length >= limit) break;
      edges.push(edge);
    }
    if (values.json === true) process.stdout.write(`${JSON.stringify(edges.map(edgeToJson), null, 2)}\n`);
    else process.stdout.write(edges.length === 0 ? 'no flows\n' : `${table(edges)}\n`);
  } finally {
    store.close();
  }
  return 0;
}

export const flowsCommand: Command = {
  summary: 'list the aggregated observed flows (edges)',
  run,
};
