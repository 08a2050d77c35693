// `eval --matrix` as a person reads it: one row and one column per workload (its short name, not
// each pod's generated name), aligned, `.` allowed, `X` denied, `~` when some of the two
// workloads' pods may connect and others may not. Wide tables number their columns instead of
// naming them. The JSON form keeps the per-pod matrix and adds the workload one.
import type { PodInfo } from '../policy/model.js';
import type { ReachabilityMatrix } from '../policy/reachability.js';

export type Cell = 'allow' | 'deny' | 'mixed';

export interface WorkloadMatrix {
  /** Row and column labels: `namespace/workload`, or `workload` when all share one namespace. */
  readonly workloads: readonly string[];
  /** cells[i][j]: workloads[i] → workloads[j] over all their pod pairs. */
  readonly cells: readonly (readonly Cell[])[];
}

/** Widest table printed with names as column headers; wider ones number the columns. */
const MAX_NAMED_WIDTH = 160;
const SYMBOL: Record<Cell, string> = { allow: '.', deny: 'X', mixed: '~' };

export function workloadMatrix(matrix: ReachabilityMatrix, pods: readonly PodInfo[]): WorkloadMatrix {
  const byPod = new Map(pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  const keyOf = (pod: string): string => {
    const info = byPod.get(pod);
    return info === undefined ? pod : `${info.namespace}/${info.workload.name}\u0000${info.workload.kind}`;
  };
  const keys: string[] = [];
  const index = new Map<string, number>();
  const podGroup = matrix.pods.map((pod) => {
    const key = keyOf(pod);
    let i = index.get(key);
    if (i === undefined) {
      i = keys.length;
      index.set(key, i);
      keys.push(key);
    }
    return i;
  });
  const allowed = keys.map(() => keys.map(() => 0));
  const total = keys.map(() => keys.map(() => 0));
  matrix.pods.forEach((_, i) =>
    matrix.pods.forEach((__, j) => {
      const a = podGroup[i] as number;
      const b = podGroup[j] as number;
      (total[a] as number[])[b] = ((total[a] as number[])[b] ?? 0) + 1;
      if (matrix.allowed[i]?.[j] === true)
        (allowed[a] as number[])[b] = ((allowed[a] as number[])[b] ?? 0) + 1;
    }),
  );
  const names = keys.map((k) => k.split('\u0000')[0] as string);
  const namespaces = new Set(names.map((n) => n.slice(0, n.indexOf('/'))));
  const duplicate = new Set(names.filter((n, i) => names.indexOf(n) !== i));
  const labels = keys.map((key, i) => {
    const [name, kind] = key.split('\u0000') as [string, string];
    const short = namespaces.size === 1 ? name.slice(name.indexOf('/') + 1) : name;
    return duplicate.has(names[i] as string) ? `${short} (${kind})` : short;
  });
  const cells = keys.map((_, a) =>
    keys.map((__, b): Cell => {
      const ok = allowed[a]?.[b] ?? 0;
      return ok === 0 ? 'deny' : ok === (total[a]?.[b] ?? 0) ? 'allow' : 'mixed';
    }),
  );
  return { workloads: labels, cells };
}

export function formatWorkloadTable(matrix: WorkloadMatrix, port: number, protocol: string): string {
  const corner = 'from \\ to';
  const rowWidth = Math.max(corner.length, ...matrix.workloads.map((w) => w.length));
  const named = rowWidth + matrix.workloads.reduce((sum, w) => sum + w.length + 2, 0) <= MAX_NAMED_WIDTH;
  const headers = named ? matrix.workloads : matrix.workloads.map((_, i) => String(i + 1));
  const rowLabels = named
    ? matrix.workloads
    : matrix.workloads.map(
        (w, i) => `${String(i + 1).padStart(String(matrix.workloads.length).length)} ${w}`,
      );
  const labelWidth = Math.max(corner.length, ...rowLabels.map((l) => l.length));
  const line = (label: string, cells: readonly string[]): string =>
    [label.padEnd(labelWidth), ...cells.map((c, i) => c.padEnd((headers[i] as string).length))]
      .join('  ')
      .trimEnd();
  const legend = `reachability ${protocol}/${port}, rows connect to columns: . allowed, X denied, ~ some pods allowed`;
  return [
    legend,
    line(corner, headers),
    ...matrix.cells.map((row, i) =>
      line(
        rowLabels[i] as string,
        row.map((c) => SYMBOL[c]),
      ),
    ),
  ].join('\n');
}
