// `netpol-advisor eval`: decide reachability under the NetworkPolicies of a cluster snapshot and
// explain each direction. One query (--from/--to/--port), a batch (--queries FILE, JSON array in,
// JSON array out in order) or the reachability matrix (--matrix). Bad input exits 2 with one line.
import { readFile } from 'node:fs/promises';
import { loadClusterSnapshot } from '../k8s/snapshot-file.js';
import {
  compilePolicies, formatEndpoint, UnknownEndpointError, type ConnectionQuery, type Decision, type PolicyEngine,
} from '../policy/engine.js';
import type { PolicyProtocol } from '../policy/model.js';
import { computeReachability, formatReachabilityGrid } from '../policy/reachability.js';
import { formatWorkloadTable, workloadMatrix } from './eval-matrix.js';
import { decideTargets, pairsNote, resolveTarget, type Target, type TargetDecision } from './eval-target.js';
import { parseCommandArgs, parseIntegerOption, UsageError } from './args.js';
import type { Command } from './main.js';

const HELP = `usage: netpol-advisor eval --cluster SNAPSHOT (--from X --to Y --port P [--protocol TCP] | --queries FILE | --matrix [--port P] [--namespace NS]) [--json]

  --cluster PATH        kubectl get … -o json|yaml output, a manifest file or a directory (repeatable)
  --from, --to X        NAMESPACE/POD, a workload as NAMESPACE/NAME (all its pods; or
                        NAMESPACE/KIND/NAME, e.g. shop/deployment/web), or an IP address
  --port P              destination port (1-65535); with --matrix defaults to 80
  --protocol PROTO      TCP (default), UDP or SCTP
  --queries FILE        JSON array of {"from","to","port","protocol"} (from/to as above);
                        prints one decision per query
  --matrix              who can reach whom among all workloads (or --namespace subsets): a
                        table, one row and column per workload
  --pods                with --matrix: one row and column per pod (tab-separated, e2e style)
  --namespace NS        with --matrix: only pods of NS (repeatable)
  --ipblock-ignores-pods  ipBlock rules do not match pod IPs (Cilium's default); default: they do
  --json                JSON output
`;

const MAX_QUERIES_BYTES = 64 * 1024 * 1024;

function parseProtocol(value: string, where: string): PolicyProtocol {
  const upper = value.toUpperCase();
  if (upper === 'TCP' || upper === 'UDP' || upper === 'SCTP') return upper;
  throw new UsageError(`${where}: expected TCP, UDP or SCTP, got ${JSON.stringify(value)}`);
}

interface TargetQuery {
  readonly from: Target;
  readonly to: Target;
  readonly port: number;
  readonly protocol: PolicyProtocol;
}

async function readQueries(file: string, engine: PolicyEngine): Promise<TargetQuery[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`);
  }
  if (text.length > MAX_QUERIES_BYTES) throw new UsageError(`${file}: larger than ${MAX_QUERIES_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(value)) throw new UsageError(`${file}: expected a JSON array of queries`);
  return (value as unknown[]).map((raw, i) => {
    const where = `${file}: [${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${where}: expected an object`);
    const q = raw as Record<string, unknown>;
    const from = q['from'];
    const to = q['to'];
    const port = q['port'];
    if (typeof from !== 'string') throw new UsageError(`${where}.from: expected "NAMESPACE/POD" or an IP address`);
    if (typeof to !== 'string') throw new UsageError(`${where}.to: expected "NAMESPACE/POD" or an IP address`);
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${where}.port: expected an integer from 1 to 65535`);
    const protocolRaw = q['protocol'] ?? 'TCP';
    if (typeof protocolRaw !== 'string') throw new UsageError(`${where}.protocol: expected TCP, UDP or SCTP`);
    return {
      from: resolveTarget(from, `${where}.from`, engine.snapshot), to: resolveTarget(to, `${where}.to`, engine.snapshot),
      port, protocol: parseProtocol(protocolRaw, `${where}.protocol`),
    };
  });
}

function toJson(query: ConnectionQuery, decision: Decision): Record<string, unknown> {
  return { from: formatEndpoint(query.from), to: formatEndpoint(query.to), port: query.port, protocol: query.protocol, ...decision };
}

/** A named workload answers for all its pods: `pods` says which pair is shown and how many agree. */
function targetJson(q: TargetQuery, result: TargetDecision): Record<string, unknown> {
  const json = toJson(result.query, result.decision);
  if (q.from.workload === undefined && q.to.workload === undefined) return json;
  return { ...json, from: q.from.label, to: q.to.label, pods: { from: formatEndpoint(result.query.from), to: formatEndpoint(result.query.to), pairs: result.pairs, allowedPairs: result.allowedPairs } };
}

function targetHuman(q: TargetQuery, result: TargetDecision): string {
  const note = pairsNote(q.from, q.to, result);
  return `${formatHuman(result.query, result.decision)}${note !== undefined ? `\n  ${note}` : ''}`;
}

function formatHuman(query: ConnectionQuery, decision: Decision): string {
  const side = (d: Decision['egress']): string => (d.allowed ? 'allowed' : 'DENIED');
  return [
    `${formatEndpoint(query.from)} -> ${formatEndpoint(query.to)} ${query.protocol}/${query.port}: ${decision.verdict.toUpperCase()}`,
    `  egress  (${side(decision.egress)}): ${decision.egress.reason}`,
    `  ingress (${side(decision.ingress)}): ${decision.ingress.reason}`,
  ].join('\n');
}

export const evalCommand: Command = {
  summary: 'decide reachability under the policies in a cluster snapshot, and explain it',
  async run(argv) {
    const { values } = parseCommandArgs(argv, {
      cluster: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      port: { type: 'string' },
      protocol: { type: 'string' },
      queries: { type: 'string' },
      matrix: { type: 'boolean' },
      pods: { type: 'boolean' },
      namespace: { type: 'string', multiple: true },
      'ipblock-ignores-pods': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help === true) { process.stdout.write(HELP); return 0; }
    if (values.cluster === undefined || values.cluster.length === 0) throw new UsageError('--cluster is required');
    const modes = [values.queries !== undefined, values.matrix === true, values.from !== undefined || values.to !== undefined].filter(Boolean).length;
    if (modes !== 1) throw new UsageError('give exactly one of --from/--to/--port, --queries FILE or --matrix');
    const protocol = parseProtocol(values.protocol ?? 'TCP', '--protocol');

    const loaded = await loadClusterSnapshot(values.cluster);
    if (!loaded.ok) {
      const [first, ...rest] = loaded.problems;
      throw new UsageError(`${first ?? 'invalid snapshot'}${rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : ''}`);
    }
    const engine = compilePolicies(loaded.snapshot, { ipBlockMatchesPods: values['ipblock-ignores-pods'] !== true });

    try {
      if (values.matrix === true) {
        const port = values.port === undefined ? 80 : parseIntegerOption('port', values.port, 1, 65535);
        const matrix = computeReachability(engine, { port, protocol, ...(values.namespace !== undefined ? { namespaces: values.namespace } : {}) });
        if (values.json === true) {
          const allowed: Record<string, Record<string, boolean>> = {};
          matrix.pods.forEach((from, i) => {
            allowed[from] = Object.fromEntries(matrix.pods.map((to, j) => [to, matrix.allowed[i]?.[j] === true]));
          });
          const byWorkload = workloadMatrix(matrix, engine.snapshot.pods);
          const workloads = Object.fromEntries(byWorkload.workloads.map((from, i) => [from, Object.fromEntries(byWorkload.workloads.map((to, j) => [to, byWorkload.cells[i]?.[j]]))]));
          process.stdout.write(`${JSON.stringify({ port, protocol, pods: matrix.pods, allowed, workloads }, null, 2)}\n`);
        } else if (values.pods === true) {
          process.stdout.write(`reachability ${protocol}/${port} (rows: from, columns: to; . allowed, X denied)\n${formatReachabilityGrid(matrix)}\n`);
        } else {
          process.stdout.write(`${formatWorkloadTable(workloadMatrix(matrix, engine.snapshot.pods), port, protocol)}\n`);
        }
        return 0;
      }
      if (values.queries !== undefined) {
        const queries = await readQueries(values.queries, engine);
        const results = queries.map((q) => decideTargets(engine, q.from, q.to, q.port, q.protocol));
        if (values.json === true) process.stdout.write(`${JSON.stringify(queries.map((q, i) => targetJson(q, results[i] as TargetDecision)), null, 2)}\n`);
        else process.stdout.write(`${queries.map((q, i) => targetHuman(q, results[i] as TargetDecision)).join('\n\n')}\n`);
        return 0;
      }
      if (values.from === undefined) throw new UsageError('--from is required');
      if (values.to === undefined) throw new UsageError('--to is required');
      if (values.port === undefined) throw new UsageError('--port is required');
      const query: TargetQuery = {
        from: resolveTarget(values.from, '--from', engine.snapshot), to: resolveTarget(values.to, '--to', engine.snapshot),
        port: parseIntegerOption('port', values.port, 1, 65535), protocol,
      };
      const result = decideTargets(engine, query.from, query.to, query.port, query.protocol);
      process.stdout.write(values.json === true ? `${JSON.stringify(targetJson(query, result), null, 2)}\n` : `${targetHuman(query, result)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof UnknownEndpointError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
  },
};
