// Reachability among the pods of a snapshot: the matrix for one port/protocol (as the e2e
// tests and cyclonus print it), and the diff between two policy sets over the same pods —
// which (from, to, port, protocol) change verdict. The recommender and `simulate` build on it.
import { compilePolicies, type Decision, type EngineOptions, type PolicyEngine } from './engine.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo, PolicyProtocol } from './model.js';

export interface PortProtocol {
  readonly port: number;
  readonly protocol: PolicyProtocol;
}

export interface ReachabilityMatrix {
  readonly port: number;
  readonly protocol: PolicyProtocol;
  /** `namespace/name`, in snapshot order. */
  readonly pods: readonly string[];
  /** allowed[i][j]: pods[i] can open a connection to pods[j]. */
  readonly allowed: readonly (readonly boolean[])[];
}

export interface MatrixOptions extends PortProtocol {
  /** Only pods of these namespaces (all when absent or empty). */
  readonly namespaces?: readonly string[];
}

function selectPods(snapshot: ClusterSnapshot, namespaces: readonly string[] | undefined): PodInfo[] {
  if (namespaces === undefined || namespaces.length === 0) return [...snapshot.pods];
  const wanted = new Set(namespaces);
  return snapshot.pods.filter((pod) => wanted.has(pod.namespace));
}

export function computeReachability(engine: PolicyEngine, options: MatrixOptions): ReachabilityMatrix {
  const pods = selectPods(engine.snapshot, options.namespaces);
  // Verdicts only: isAllowed builds no decision objects.
  const allowed = pods.map((from) =>
    pods.map((to) =>
      engine.isAllowed({
        from: { kind: 'pod', namespace: from.namespace, name: from.name },
        to: { kind: 'pod', namespace: to.namespace, name: to.name },
        port: options.port,
        protocol: options.protocol,
      }),
    ),
  );
  return {
    port: options.port,
    protocol: options.protocol,
    pods: pods.map((p) => `${p.namespace}/${p.name}`),
    allowed,
  };
}

/** The e2e-style truth table: `.` allowed, `X` denied, tab-separated, sources down, targets across. */
export function formatReachabilityGrid(matrix: ReachabilityMatrix): string {
  const lines = [['-', ...matrix.pods].join('\t')];
  matrix.pods.forEach((from, i) => {
    lines.push([from, ...(matrix.allowed[i] ?? []).map((ok) => (ok ? '.' : 'X'))].join('\t'));
  });
  return lines.join('\n');
}

export interface ReachabilityChange {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: PolicyProtocol;
  readonly before: Decision;
  readonly after: Decision;
}

export interface DiffOptions extends EngineOptions {
  readonly namespaces?: readonly string[];
}

/** Every pod pair and port whose verdict differs between two policy sets over one snapshot. */
export function diffReachability(
  snapshot: ClusterSnapshot,
  policiesBefore: readonly NetworkPolicy[],
  policiesAfter: readonly NetworkPolicy[],
  ports: readonly PortProtocol[],
  options: DiffOptions = {},
): ReachabilityChange[] {
  const engineOptions: EngineOptions =
    options.ipBlockMatchesPods === undefined ? {} : { ipBlockMatchesPods: options.ipBlockMatchesPods };
  const before = compilePolicies({ ...snapshot, policies: policiesBefore }, engineOptions);
  const after = compilePolicies({ ...snapshot, policies: policiesAfter }, engineOptions);
  const pods = selectPods(snapshot, options.namespaces);
  const changes: ReachabilityChange[] = [];
  for (const from of pods) {
    for (const to of pods) {
      for (const { port, protocol } of ports) {
        const query = {
          from: { kind: 'pod', namespace: from.namespace, name: from.name },
          to: { kind: 'pod', namespace: to.namespace, name: to.name },
          port,
          protocol,
        } as const;
        // Verdicts first; the full decisions (with explanations) only for the pairs that change.
        if (before.isAllowed(query) === after.isAllowed(query)) continue;
        changes.push({
          from: `${from.namespace}/${from.name}`,
          to: `${to.namespace}/${to.name}`,
          port,
          protocol,
          before: before.evaluate(query),
          after: after.evaluate(query),
        });
      }
    }
  }
  return changes;
}
