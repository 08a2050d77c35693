// `netpol-advisor doctor`: diagnoses policy failures from the store's observed edges and a cluster
// snapshot — what blocks, what fails to block, and why — as the contract's JSON array of findings
// (--json) or a report grouped by severity. Findings are not failures: exit 0; bad input exits 2.
import { runDoctor } from '../doctor/doctor.js';
import { formatReport } from '../doctor/format.js';
import { scanClusterExtras } from '../doctor/raw-objects.js';
import type { ClusterExtras, DoctorEdge } from '../doctor/types.js';
import { loadClusterSnapshot } from '../k8s/snapshot-file.js';
import { notEvaluatedPaths } from '../doctor/not-evaluated.js';
import { writeIgnored } from './ignored-output.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { openReadStore } from './open-db.js';
import { UsageError, defaultDbPath, parseCommandArgs } from './args.js';
import type { Command } from './main.js';

const HELP = `usage: netpol-advisor doctor [--db FILE] [--cluster SNAPSHOT] [--namespace NS] [--json]

Diagnoses NetworkPolicy problems from the observed traffic and a cluster snapshot:
  default-deny-blocks       isolated namespaces where observed traffic now drops
  dns-blocked               egress isolation without a DNS rule, or DNS drops
  selector-matches-nothing  selectors matching no pod or namespace (with near misses)
  allowed-despite-deny      traffic forwarded although the policies deny it, and why
  non-policy-drops          drops that are not policy (conntrack, routing, invalid packets)
  unprotected-pods, overly-broad, redundant   hygiene
Each finding names the objects, the evidence and the fix. Exit 0 whatever is found.

  --db FILE          the database (default ./netpol-advisor.db, env NETPOL_ADVISOR_DB)
  --cluster PATH     cluster snapshot (kubectl get … -o json/yaml, files or a directory);
                     without it only non-policy drops can be diagnosed
  --namespace NS     only findings about NS
  --json             the contract's JSON array of findings
`;

/** One pass over the snapshot files: the typed snapshot and the extras the doctor reads raw. */
export async function loadDoctorCluster(
  paths: readonly string[],
): Promise<{ snapshot: ClusterSnapshot; extras: ClusterExtras }> {
  const loaded = await loadClusterSnapshot(paths);
  if (!loaded.ok) {
    const { problems } = loaded;
    throw new UsageError(
      `--cluster: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`,
    );
  }
  return { snapshot: loaded.snapshot, extras: scanClusterExtras(loaded.objects) };
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    db: { type: 'string' },
    cluster: { type: 'string', multiple: true },
    namespace: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(values.namespace)) {
    throw new UsageError(`--namespace: "${values.namespace.slice(0, 80)}" is not a namespace name`);
  }
  const cluster =
    values.cluster !== undefined && values.cluster.length > 0
      ? await loadDoctorCluster(values.cluster)
      : undefined;
  const db = values.db ?? defaultDbPath();
  const store = await openReadStore(db);
  let edges: DoctorEdge[];
  try {
    edges = [...store.iterateEdges()];
  } finally {
    store.close();
  }
  const findings = runDoctor({
    edges,
    ...(cluster !== undefined ? { snapshot: cluster.snapshot, extras: cluster.extras } : {}),
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
  });
  const notEvaluated =
    cluster !== undefined ? notEvaluatedPaths(cluster.snapshot, edges) : { count: 0, listed: [] };
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
    writeIgnored(cluster?.snapshot, true);
    if (notEvaluated.count > 0) process.stderr.write(`${JSON.stringify({ notEvaluated })}\n`);
    return 0;
  }
  if (cluster === undefined)
    process.stdout.write('no --cluster snapshot: only non-policy drops can be diagnosed\n\n');
  process.stdout.write(formatReport(findings));
  writeIgnored(cluster?.snapshot, false);
  if (notEvaluated.count > 0) {
    const lines = notEvaluated.listed.map((p) =>
      `NOT EVALUATED ${p.path}: ${p.reason}`.replace(/\p{Cc}/gu, '?'),
    );
    process.stdout.write(
      `\n${notEvaluated.count} observed path(s) could not be evaluated; the findings above leave them out:\n${lines.join('\n')}\n`,
    );
  }
  return 0;
}

export const doctorCommand: Command = {
  summary: 'diagnose policy failures: what blocks, what fails to block, and why',
  run,
};
