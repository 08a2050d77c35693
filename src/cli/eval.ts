// `netpol-advisor eval`: decide reachability under the NetworkPolicies of a cluster snapshot and
// explain each direction. One query (--from/--to/--port), a batch (--queries FILE, JSON array in,
// JSON array out in order) or the reachability matrix (--matrix). Bad input exits 2 with one line.
import { loadClusterSnapshot } from '../k8s/snapshot-file.js';
import { compilePolicies, formatEndpoint, UnknownEndpointError } from '../policy/engine.js';
import { NotEvaluatedError } from '../policy/policy-family.js';
import { computeReachability, formatReachabilityGrid } from '../policy/reachability.js';
import { formatWorkloadTable, workloadMatrix } from './eval-matrix.js';
import { parseProtocol, readQueries, targetHuman, writeBatch, type TargetQuery } from './eval-batch.js';
import { decideTargets, resolveTarget, type TargetDecision } from './eval-target.js';
import { parseCommandArgs, parseIntegerOption, UsageError } from './args.js';
import type { Command } from './main.js';

const HELP = `usage: netpol-advisor eval --cluster SNAPSHOT (--from X --to Y --port P [--protocol TCP] | --queries FILE [--explain] [--ndjson] | --matrix [--port P] [--namespace NS]) [--json]

  --cluster PATH        kubectl get … -o json|yaml output, a manifest file or a directory (repeatable)
  --from, --to X        NAMESPACE/POD, a workload as NAMESPACE/NAME (all its pods; or
                        NAMESPACE/KIND/NAME, e.g. shop/deployment/web), or an IP address
  --port P              destination port (1-65535); with --matrix defaults to 80
  --protocol PROTO      TCP (default), UDP or SCTP
  --queries FILE        JSON array of {"from","to","port","protocol"} (from/to as above);
                        prints one line per query, in order: the verdict and per direction the
                        policies/rules that admitted it or the policies that isolate it
  --explain             with --queries: each direction's reason in prose (as for one query)
  --ndjson              with --queries: one JSON object per line (streamed)
  --matrix              who can reach whom among all workloads (or --namespace subsets): a
                        table, one row and column per workload
  --pods                with --matrix: one row and column per pod (tab-separated, e2e style)
  --namespace NS        with --matrix: only pods of NS (repeatable)
  --ipblock-ignores-pods  ipBlock rules do not match pod IPs (Cilium's default); default: they do
  --json                JSON output (with --queries: an array, one object per line; the
                        reasons only with --explain)
`;

/** One query's JSON: the whole decision, reasons included. */
function targetJson(q: TargetQuery, result: TargetDecision): Record<string, unknown> {
  const json = {
    from: formatEndpoint(result.query.from),
    to: formatEndpoint(result.query.to),
    port: result.query.port,
    protocol: result.query.protocol,
    ...result.decision,
  };
  if (q.from.workload === undefined && q.to.workload === undefined) return json;
  return {
    ...json,
    from: q.from.label,
    to: q.to.label,
    pods: {
      from: formatEndpoint(result.query.from),
      to: formatEndpoint(result.query.to),
      pairs: result.pairs,
      allowedPairs: result.allowedPairs,
    },
  };
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
      explain: { type: 'boolean' },
      ndjson: { type: 'boolean' },
    });
    if (values.help === true) {
      process.stdout.write(HELP);
      return 0;
    }
    if (values.cluster === undefined || values.cluster.length === 0)
      throw new UsageError('--cluster is required');
    const modes = [
      values.queries !== undefined,
      values.matrix === true,
      values.from !== undefined || values.to !== undefined,
    ].filter(Boolean).length;
    if (modes !== 1)
      throw new UsageError('give exactly one of --from/--to/--port, --queries FILE or --matrix');
    if ((values.explain === true || values.ndjson === true) && values.queries === undefined)
      throw new UsageError('--explain and --ndjson go with --queries');
    if (values.ndjson === true && values.json === true)
      throw new UsageError('give one of --json and --ndjson');
    const protocol = parseProtocol(values.protocol ?? 'TCP', '--protocol');

    const loaded = await loadClusterSnapshot(values.cluster);
    if (!loaded.ok) {
      const [first, ...rest] = loaded.problems;
      throw new UsageError(
        `${first ?? 'invalid snapshot'}${rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : ''}`,
      );
    }
    const engine = compilePolicies(loaded.snapshot, {
      ipBlockMatchesPods: values['ipblock-ignores-pods'] !== true,
    });

    try {
      if (values.matrix === true) {
        const port = values.port === undefined ? 80 : parseIntegerOption('port', values.port, 1, 65535);
        const matrix = computeReachability(engine, {
          port,
          protocol,
          ...(values.namespace !== undefined ? { namespaces: values.namespace } : {}),
        });
        if (values.json === true) {
          const allowed: Record<string, Record<string, boolean>> = {};
          matrix.pods.forEach((from, i) => {
            allowed[from] = Object.fromEntries(
              matrix.pods.map((to, j) => [to, matrix.allowed[i]?.[j] === true]),
            );
          });
          const byWorkload = workloadMatrix(matrix, engine.snapshot.pods);
          const workloads = Object.fromEntries(
            byWorkload.workloads.map((from, i) => [
              from,
              Object.fromEntries(byWorkload.workloads.map((to, j) => [to, byWorkload.cells[i]?.[j]])),
            ]),
          );
          process.stdout.write(
            `${JSON.stringify({ port, protocol, pods: matrix.pods, allowed, workloads }, null, 2)}\n`,
          );
        } else if (values.pods === true) {
          process.stdout.write(
            `reachability ${protocol}/${port} (rows: from, columns: to; . allowed, X denied)\n${formatReachabilityGrid(matrix)}\n`,
          );
        } else {
          process.stdout.write(
            `${formatWorkloadTable(workloadMatrix(matrix, engine.snapshot.pods), port, protocol)}\n`,
          );
        }
        return 0;
      }
      if (values.queries !== undefined) {
        const queries = await readQueries(values.queries, engine);
        const format = values.ndjson === true ? 'ndjson' : values.json === true ? 'json' : 'text';
        writeBatch(engine, queries, format, values.explain === true, (text) => process.stdout.write(text));
        return 0;
      }
      if (values.from === undefined) throw new UsageError('--from is required');
      if (values.to === undefined) throw new UsageError('--to is required');
      if (values.port === undefined) throw new UsageError('--port is required');
      const query: TargetQuery = {
        from: resolveTarget(values.from, '--from', engine.snapshot),
        to: resolveTarget(values.to, '--to', engine.snapshot),
        port: parseIntegerOption('port', values.port, 1, 65535),
        protocol,
      };
      const result = decideTargets(engine, query.from, query.to, query.port, query.protocol);
      process.stdout.write(
        values.json === true
          ? `${JSON.stringify(targetJson(query, result), null, 2)}\n`
          : `${targetHuman(query, result)}\n`,
      );
      return 0;
    } catch (error) {
      if (error instanceof UnknownEndpointError) throw new UsageError(error.message, { cause: error });
      if (error instanceof NotEvaluatedError)
        throw new UsageError(`not evaluated: ${error.message}`, { cause: error });
      throw error;
    }
  },
};
