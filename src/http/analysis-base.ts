// What the analyses share in the analysis worker (or the main-thread runner): the edges of one
// data version read once (a read of 100,000 edges takes seconds); the snapshot's compiled policy
// engine and pod indexes built once per snapshot (over a second at 15,000 pods), each only when a
// job first needs it (a recommendation needs the workloads' selectors, not the engine); and the
// proven recommendations of the version per scope (a namespace, or the whole cluster), which its
// JSON views, exports, cluster guardrails and staging all derive from. A job without a version
// (tests) shares no edges and no recommendation. One data version is kept: a job of a newer one
// drops the previous edges and recommendations before reading its own.
import { PeerPods } from '../drops/explain.js';
import { compilePolicies, type PolicyEngine } from '../policy/engine.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { SnapshotPods } from '../recommend/snapshot-workloads.js';
import type { EdgeRecord } from '../store/types.js';
import type { ProvenRecommendation } from '../views/recommendation-views.js';

/** Proven recommendations kept per version: one namespace's is megabytes at cluster scale. */
export const PROVEN_KEPT = 4;

/** The snapshot's engine and indexes, each built on first use. */
class LazyCompiled {
  private builtEngine: PolicyEngine | undefined;
  private builtPods: PeerPods | undefined;
  private builtWorkloads: SnapshotPods | undefined;

  constructor(
    private readonly snapshot: ClusterSnapshot,
    private readonly onBuild: () => void,
  ) {}

  get engine(): PolicyEngine {
    if (this.builtEngine === undefined) {
      this.onBuild();
      this.builtEngine = compilePolicies(this.snapshot);
    }
    return this.builtEngine;
  }

  get pods(): PeerPods {
    return (this.builtPods ??= new PeerPods(this.snapshot.pods));
  }

  get workloads(): SnapshotPods {
    return (this.builtWorkloads ??= new SnapshotPods(this.snapshot.pods));
  }
}

export interface CompiledSnapshot {
  /** The snapshot the engine and index were built from (the index matches pods by identity). */
  readonly snapshot: ClusterSnapshot;
  readonly compiled: {
    readonly engine: PolicyEngine;
    readonly pods: PeerPods;
    readonly workloads: SnapshotPods;
  };
}

export class AnalysisBase {
  private version: string | undefined;
  private edgeList: EdgeRecord[] | undefined;
  private compiledSnapshot: CompiledSnapshot | undefined;
  private readonly proven = new Map<string, ProvenRecommendation>();
  /** Reads, engine compiles and proven recommendations computed (tests, the bench). */
  reads = 0;
  compiles = 0;
  provings = 0;

  private use(version: string): void {
    if (this.version === version) return;
    this.version = version;
    this.edgeList = undefined;
    this.proven.clear();
  }

  /** Every stored edge, in id order, read once per version. */
  edges(version: string | undefined, read: () => Iterable<EdgeRecord>): EdgeRecord[] {
    if (version === undefined) return [...read()];
    this.use(version);
    if (this.edgeList === undefined) {
      this.reads++;
      this.edgeList = [...read()];
    }
    return this.edgeList;
  }

  /** The snapshot's engine and pod indexes, built once per snapshot object (the worker keeps the one it was sent). */
  compile(snapshot: ClusterSnapshot): CompiledSnapshot {
    if (this.compiledSnapshot?.snapshot === snapshot) return this.compiledSnapshot;
    const compiled = new LazyCompiled(snapshot, () => this.compiles++);
    this.compiledSnapshot = { snapshot, compiled };
    return this.compiledSnapshot;
  }

  /** The proven recommendation of `scope` at `version`, computed once (the PROVEN_KEPT latest scopes kept). */
  provenRecommendation(
    version: string | undefined,
    scope: string,
    prove: () => ProvenRecommendation,
  ): ProvenRecommendation {
    if (version === undefined) {
      this.provings++;
      return prove();
    }
    this.use(version);
    const kept = this.proven.get(scope);
    if (kept !== undefined) {
      // Most recently used last.
      this.proven.delete(scope);
      this.proven.set(scope, kept);
      return kept;
    }
    this.provings++;
    const proven = prove();
    this.proven.set(scope, proven);
    for (const oldest of this.proven.keys()) {
      if (this.proven.size <= PROVEN_KEPT) break;
      this.proven.delete(oldest);
    }
    return proven;
  }

  /** A proven recommendation already computed for `scope` at `version`, if any (never computes). */
  keptRecommendation(version: string | undefined, scope: string): ProvenRecommendation | undefined {
    return version !== undefined && this.version === version ? this.proven.get(scope) : undefined;
  }

  /** Lets the inputs go (a failed job: the connection is reopened, the snapshot kept). */
  clear(): void {
    this.version = undefined;
    this.edgeList = undefined;
    this.compiledSnapshot = undefined;
    this.proven.clear();
  }
}
