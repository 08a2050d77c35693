// The live-evaluation step of the ingest path: a FlowStore wrapper that judges each batch's deltas
// against the active staged sets (ShadowEvaluator, pure, before the transaction) and hands the
// outcome to the store as the batch's companion (StagedStore.recordOn), so the edges and the
// staged sets' counters commit in the same transaction: a crash or a failed write keeps neither,
// and the batch's re-ingest counts it once. Every source's batches go through the daemon's store,
// so every source is covered. A failure of the (pure) evaluation is counted and logged and never
// fails ingest: the batch is then stored unjudged.
import type { ClusterSnapshot } from '../policy/model.js';
import {
  ShadowEvaluator,
  type SetBatchResult,
  type WouldDropObservation,
} from '../staged/shadow-evaluator.js';
import type { StagedStore } from './staged-store.js';
import type { Batch, FlowStore } from './types.js';
import type { EdgeDelta } from '../flows/edge.js';
import { mayBeReplyReadBackwards, pairKeyOf, reversePairKeyOf } from '../flows/reply-read-backwards.js';

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

  /**
   * Whether a batch written now would be judged (there are active sets), so it must be written
   * through this wrapper; an evaluator that cannot be built counts as judging (write() then counts
   * the failure as for any batch).
   */
  isJudging(): boolean {
    try {
      return !this.current().isIdle;
    } catch {
      return true;
    }
  }

  /** Judges one batch (pure, before its transaction); a failure is counted and the batch goes unjudged. */
  private judge(deltas: readonly EdgeDelta[]): Map<number, SetBatchResult> | undefined {
    try {
      const evaluator = this.current();
      if (evaluator.isIdle) return undefined;
      const results = evaluator.evaluateBatch(deltas, this.replyTest(deltas));
      return results.size === 0 ? undefined : results;
    } catch (error) {
      this.failures++;
      this.options.hooks?.onError?.(error);
      return undefined;
    }
  }

  /**
   * Which of a batch's deltas are replies read backwards: a candidate whose reverse pair started a
   * connection in this batch or in a committed one (the store's edges; the recommender decides
   * over the same edges, so a path it proposes no rule for is not a would-drop either).
   */
  private replyTest(deltas: readonly EdgeDelta[]): ((delta: EdgeDelta) => boolean) | undefined {
    if (!deltas.some(mayBeReplyReadBackwards)) return undefined;
    const started = new Set<string>();
    for (const delta of deltas) if (delta.count > 0) started.add(pairKeyOf(delta));
    return (delta) => {
      if (!mayBeReplyReadBackwards(delta)) return false;
      const reverse = reversePairKeyOf(delta);
      return started.has(reverse) || this.options.staged.hasStartedPair(reverse);
    };
  }

  /** The metric, stream and alert hooks of a committed batch. */
  private report(results: Map<number, SetBatchResult>, fresh: readonly WouldDropObservation[]): void {
    const hooks = this.options.hooks;
    for (const result of results.values()) {
      const namespace = this.namespaces.get(result.setId);
      const connections = result.wouldDrops.reduce((sum, d) => sum + d.connections, 0);
      if (namespace !== undefined && connections > 0) hooks?.onWouldDropConnections?.(namespace, connections);
    }
    if (fresh.length > 0) hooks?.onNewWouldDrops?.(fresh, (id) => this.namespaces.get(id));
  }

  /**
   * Writes one batch through `store` with its evaluation as the batch's companion: the edges and
   * the staged sets' counters commit in one transaction, or neither does (the error is thrown).
   */
  write(store: FlowStore, batch: Batch): void {
    const deltas = Array.isArray(batch.deltas) ? (batch.deltas as EdgeDelta[]) : [...batch.deltas];
    const results = this.judge(deltas);
    if (results === undefined) {
      store.writeBatch({ ...batch, deltas });
      return;
    }
    const staged = this.options.staged;
    const nowMs = this.options.now();
    let fresh: WouldDropObservation[] = [];
    try {
      store.writeBatch({
        ...batch,
        deltas,
        companion: { write: (db) => (fresh = staged.recordOn(db, results.values(), nowMs)) },
      });
    } catch (error) {
      staged.forgetRecordedPaths();
      throw error;
    }
    try {
      this.report(results, fresh);
    } catch (error) {
      this.options.hooks?.onError?.(error);
    }
  }

  /**
   * `store` with this step after each committed batch. Every other member is the store's own
   * (a proxy, so methods the FlowStore interface gains later pass through unchanged).
   */
  wrap(store: FlowStore): FlowStore {
    const writeBatch = (batch: Batch): void => this.write(store, batch);
    return new Proxy(store, {
      get(target, property) {
        if (property === 'writeBatch') return writeBatch;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
