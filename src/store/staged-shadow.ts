// The live-evaluation step of the ingest path: a FlowStore wrapper that, after each batch's edges
// are committed, judges the batch's deltas against the active staged sets (ShadowEvaluator) and
// records the outcome (StagedStore.recordBatch, its own transaction). Every source's batches go
// through the daemon's store, so every source is covered. A failure here is counted and logged
// and never fails ingest: the edges are already committed. Trade-off, said in docs/shadow-mode.md:
// a crash between the two commits loses that one batch's evaluation (it is never counted twice).
import type { ClusterSnapshot } from '../policy/model.js';
import { ShadowEvaluator, type WouldDropObservation } from '../staged/shadow-evaluator.js';
import type { StagedStore } from './staged-store.js';
import type { Batch, FlowStore } from './types.js';
import type { EdgeDelta } from '../flows/edge.js';

export interface ShadowHooks {
  /** Paths a set would drop, seen for the first time since staging. */
  onNewWouldDrops?(
    drops: readonly WouldDropObservation[],
    namespaceOf: (setId: number) => string | undefined,
  ): void;
  /** Every would-drop of a batch (connections per set's namespace), for the counter. */
  onWouldDropConnections?(namespace: string, connections: number): void;
  onError?(error: unknown): void;
}

export interface ShadowOptions {
  readonly staged: StagedStore;
  readonly snapshot: () => ClusterSnapshot | undefined;
  readonly now: () => number;
  readonly hooks?: ShadowHooks;
}

export class ShadowRecorder {
  private evaluator: ShadowEvaluator | undefined;
  private evaluatorSnapshot: ClusterSnapshot | undefined;
  private evaluatorVersion: string | undefined;
  private namespaces = new Map<number, string>();
  /** Batches whose evaluation failed (also reported through onError). */
  failures = 0;

  constructor(private readonly options: ShadowOptions) {}

  /** The evaluator for the current snapshot and active sets, rebuilt when either changed. */
  private current(): ShadowEvaluator {
    const version = this.options.staged.activeVersion();
    const snapshot = this.options.snapshot();
    if (
      this.evaluator === undefined ||
      version !== this.evaluatorVersion ||
      snapshot !== this.evaluatorSnapshot
    ) {
      const sets = version === '' ? [] : this.options.staged.activeSets();
      this.namespaces = new Map(sets.map((s) => [s.id, s.namespace]));
      this.evaluator = new ShadowEvaluator(snapshot, sets);
      this.evaluatorVersion = version;
      this.evaluatorSnapshot = snapshot;
    }
    return this.evaluator;
  }

  /** Judges and records one committed batch. */
  evaluate(deltas: readonly EdgeDelta[]): void {
    try {
      const evaluator = this.current();
      if (evaluator.isIdle) return;
      const results = evaluator.evaluateBatch(deltas);
      if (results.size === 0) return;
      const fresh = this.options.staged.recordBatch(results.values(), this.options.now());
      const hooks = this.options.hooks;
      for (const result of results.values()) {
        const namespace = this.namespaces.get(result.setId);
        const connections = result.wouldDrops.reduce((sum, d) => sum + d.connections, 0);
        if (namespace !== undefined && connections > 0)
          hooks?.onWouldDropConnections?.(namespace, connections);
      }
      if (fresh.length > 0) hooks?.onNewWouldDrops?.(fresh, (id) => this.namespaces.get(id));
    } catch (error) {
      this.failures++;
      this.options.hooks?.onError?.(error);
    }
  }

  /**
   * `store` with this step after each committed batch. Every other member is the store's own
   * (a proxy, so methods the FlowStore interface gains later pass through unchanged).
   */
  wrap(store: FlowStore): FlowStore {
    const writeBatch = (batch: Batch): void => {
      const deltas = Array.isArray(batch.deltas) ? (batch.deltas as EdgeDelta[]) : [...batch.deltas];
      store.writeBatch({ ...batch, deltas });
      this.evaluate(deltas);
    };
    return new Proxy(store, {
      get(target, property) {
        if (property === 'writeBatch') return writeBatch;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
