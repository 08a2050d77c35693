// What the whole-store analyses of one data version share in the analysis worker: the edges read
// once (a read of 100,000 edges takes seconds), and the snapshot's compiled policy engine and pod
// indexes built once (over a second at 15,000 pods; the workloads' selectors the doctor's fixes
// need, chosen once too). The drops report and every namespace's
// diagnostics of the same version then reuse them instead of each reading and compiling again.
// A job without a version (the main-thread runner, tests) shares nothing. One version is kept:
// a job of a newer version drops the previous inputs before reading its own.
import { PeerPods } from '../drops/explain.js';
import { compilePolicies, type PolicyEngine } from '../policy/engine.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { SnapshotPods } from '../recommend/snapshot-workloads.js';
import type { EdgeRecord } from '../store/types.js';

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
  /** Reads and compiles done (tests, the bench). */
  reads = 0;
  compiles = 0;

  private use(version: string): void {
    if (this.version === version) return;
    this.version = version;
    this.edgeList = undefined;
    this.compiledSnapshot = undefined;
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

  /** The snapshot's engine and pod index, compiled once per version (the version names the snapshot). */
  compile(version: string | undefined, snapshot: ClusterSnapshot): CompiledSnapshot {
    if (version !== undefined) {
      this.use(version);
      if (this.compiledSnapshot !== undefined) return this.compiledSnapshot;
    }
    this.compiles++;
    const compiled = {
      snapshot,
      compiled: {
        engine: compilePolicies(snapshot),
        pods: new PeerPods(snapshot.pods),
        workloads: new SnapshotPods(snapshot.pods),
      },
    };
    if (version !== undefined) this.compiledSnapshot = compiled;
    return compiled;
  }

  /** Lets the inputs go (the worker going idle). */
  clear(): void {
    this.version = undefined;
    this.edgeList = undefined;
    this.compiledSnapshot = undefined;
  }
}
