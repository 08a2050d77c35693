// One resilient informer: @kubernetes/client-node's ListWatch (list, then watch from the list's
// resourceVersion; on 410 Gone — an HTTP status or an ERROR watch event — it relists by itself)
// wrapped with what client-node leaves to the caller (reliability.md R12):
//  - any other error (list failure, connection refused, 5xx) stops a client-node informer for
//    good; we restart it with our capped jittered backoff, never in a tight loop;
//  - `synced` turns true only after a full list succeeded (readiness waits for it);
//  - bookmarks are requested (allowWatchBookmarks) so quiet resources keep a fresh
//    resourceVersion and resume without a relist;
//  - objects from typed list calls get their kind/apiVersion stamped (list items carry none),
//    so the cache holds API-shaped objects that src/policy/parse-objects.ts understands;
//  - a watch can stall without closing (a proxy or API server that stops forwarding): after
//    relistAfterMs with no event the informer relists through client-node's own 410 path (the
//    cache is diffed against the list: adds, updates and deletes are emitted), then watches on.
//    Bookmarks are not seen by the caller, so a quiet resource is relisted at that pace too.
import { ListWatch, Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { Backoff } from '../lib/backoff.js';
import { silentLogger } from '../lib/logger.js';
import { systemClock } from '../lib/clock.js';
import type { BackoffOptions, RandomFn } from '../lib/backoff.js';
import type { Clock } from '../lib/clock.js';
import type { SourceLogger } from '../lib/logger.js';

export interface ResourceSpec {
  /** Collection path, e.g. `/api/v1/pods`. */
  readonly path: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly list: () => Promise<KubernetesListObject<KubernetesObject>>;
  /**
   * A custom resource that may not be installed: a 404 is not an error but "absent" — the
   * informer counts as synced with no objects and keeps probing at its backoff's pace, so
   * installing the CRD later is noticed.
   */
  readonly optional?: boolean;
}

export type InformerEventType = 'add' | 'update' | 'delete';

export interface InformerStatus {
  readonly kind: string;
  readonly synced: boolean;
  readonly objects: number;
  readonly lastEventMs?: number;
  readonly lists: number;
  readonly restarts: number;
  /** Relists forced by relistAfterMs of silence. */
  readonly silentRelists: number;
  /** BOOKMARK events taken in (each moves the resume point without an object changing). */
  readonly bookmarks: number;
  readonly errors: number;
  readonly lastError?: string;
  /** Set for an optional resource whose API the server does not serve (its CRD is not installed). */
  readonly absent?: boolean;
}

export interface InformerOptions {
  readonly clock?: Clock;
  readonly random?: RandomFn;
  readonly backoff?: Partial<BackoffOptions>;
  readonly logger?: SourceLogger;
  readonly onEvent?: (type: InformerEventType, obj: KubernetesObject) => void;
  /** Called after every successful (re)list, with the objects as listed. */
  readonly onList?: (items: readonly KubernetesObject[]) => void;
  /** Relist after this long without an event (0: never). */
  readonly relistAfterMs?: number;
}

export const DEFAULT_RELIST_AFTER_MS = 15 * 60_000;

/**
 * Asks the API server for BOOKMARK events on every watch the ListWatch opens, and can end the
 * current watch as if the server had answered 410 Gone (the ListWatch then relists). The aborted
 * request's own late `done` is swallowed, so the forced end is not also reported as an error.
 */
class BookmarkWatch extends Watch {
  private endCurrent: ((err: unknown) => void) | undefined;
  /** BOOKMARK events passed on (counted after the ListWatch took their resourceVersion). */
  bookmarks = 0;

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    let ended = false;
    const endOnce = (err: unknown): void => {
      if (ended) return;
      ended = true;
      if (this.endCurrent === endOnce) this.endCurrent = undefined;
      done(err);
    };
    this.endCurrent = endOnce;
    const counted = (phase: string, apiObj: unknown, watchObj?: unknown): void => {
      callback(phase, apiObj, watchObj);
      if (phase === 'BOOKMARK') this.bookmarks += 1;
    };
    return super.watch(path, { ...queryParams, allowWatchBookmarks: true }, counted, endOnce);
  }

  /** False when no watch is open (listing, or backing off after an error). */
  forceRelist(): boolean {
    const end = this.endCurrent;
    if (end === undefined) return false;
    end({ statusCode: 410, message: 'relist after silence' });
    return true;
  }
}

export class ResilientInformer {
  readonly spec: ResourceSpec;
  private readonly lw: ListWatch<KubernetesObject>;
  private readonly watcher: BookmarkWatch;
  private readonly relistAfterMs: number;
  private silentRelists = 0;
  /** Events and lists seen (the silence check; the injected clock may not move between them). */
  private activity = 0;
  private readonly clock: Clock;
  private readonly logger: SourceLogger;
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();
  private stopped = true;
  private restarting = false;
  private synced = false;
  private lists = 0;
  private restarts = 0;
  private errors = 0;
  private lastEventMs: number | undefined;
  private lastError: string | undefined;
  private absent = false;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(kubeConfig: KubeConfig, spec: ResourceSpec, options: InformerOptions = {}) {
    this.spec = spec;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.backoff = new Backoff(
      { initialMs: 1000, maxMs: 30_000, factor: 2, ...options.backoff },
      options.random,
    );
    const listFn = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const list = await spec.list();
      for (const item of list.items) this.stamp(item);
      this.lists += 1;
      this.activity += 1;
      this.lastEventMs = this.clock.now();
      this.absent = false;
      options.onList?.(list.items);
      if (!this.synced) {
        this.synced = true;
        for (const w of this.syncWaiters.splice(0)) w();
      }
      return list;
    };
    this.relistAfterMs = options.relistAfterMs ?? DEFAULT_RELIST_AFTER_MS;
    this.watcher = new BookmarkWatch(kubeConfig);
    this.lw = new ListWatch(spec.path, this.watcher, listFn, false, undefined, undefined, {
      delayFn: (ms) => this.clock.sleep(ms, this.abort.signal),
    });
    const handle = (type: InformerEventType) => (obj: KubernetesObject) => {
      this.stamp(obj);
      this.activity += 1;
      this.lastEventMs = this.clock.now();
      this.backoff.reset();
      options.onEvent?.(type, obj);
    };
    this.lw.on('add', handle('add'));
    this.lw.on('update', handle('update'));
    this.lw.on('delete', handle('delete'));
    this.lw.on('error', (err: unknown) => this.onError(err));
  }

  private stamp(obj: KubernetesObject): void {
    // List items carry no kind; watch objects do. Never trust a kind that disagrees with the path.
    obj.kind = this.spec.kind;
    obj.apiVersion = this.spec.apiVersion;
  }

  /** Starts listing and watching; resolves once the first attempt has begun (not synced). */
  start(): Promise<void> {
    this.stopped = false;
    void this.lw.start().catch((err: unknown) => this.onError(err));
    void this.relistWhenSilent();
    return Promise.resolve();
  }

  /** Every relistAfterMs: no add/update/delete/list since the last look → relist. */
  private async relistWhenSilent(): Promise<void> {
    if (this.relistAfterMs <= 0) return;
    let seen = this.activity;
    while (!this.stopped) {
      await this.clock.sleep(this.relistAfterMs, this.abort.signal);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may abort it during the await
      if (this.stopped) return;
      const silent = this.synced && this.activity === seen;
      if (silent && this.watcher.forceRelist()) {
        this.silentRelists += 1;
        this.logger.info(
          { informer: this.spec.kind, silentMs: this.relistAfterMs },
          'informer silent; relisting',
        );
      }
      seen = this.activity;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.lw.stop();
  }

  /** Resolves after the first full list (or when stopped). */
  whenSynced(): Promise<void> {
    if (this.synced || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get isSynced(): boolean {
    return this.synced;
  }

  list(): readonly KubernetesObject[] {
    return this.lw.list();
  }

  status(): InformerStatus {
    return {
      kind: this.spec.kind,
      synced: this.synced,
      objects: this.lw.list().length,
      ...(this.lastEventMs === undefined ? {} : { lastEventMs: this.lastEventMs }),
      lists: this.lists,
      restarts: this.restarts,
      silentRelists: this.silentRelists,
      bookmarks: this.watcher.bookmarks,
      errors: this.errors,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      ...(this.absent ? { absent: true } : {}),
    };
  }

  private onError(err: unknown): void {
    if (this.spec.optional === true && statusOf(err) === 404) {
      // Not installed: synced with nothing in it; probe again later, quietly after the first time.
      if (!this.absent)
        this.logger.info(
          { informer: this.spec.kind },
          'resource not served (CRD not installed); probing for it',
        );
      this.absent = true;
      if (!this.synced) {
        this.synced = true;
        for (const w of this.syncWaiters.splice(0)) w();
      }
    } else {
      this.errors += 1;
      this.lastError = describe(err);
    }
    if (this.stopped || this.restarting) return;
    this.restarting = true;
    const delayMs = this.backoff.nextDelayMs();
    if (!this.absent)
      this.logger.warn(
        { informer: this.spec.kind, delayMs, error: this.lastError },
        'informer failed; restarting',
      );
    void this.clock.sleep(delayMs, this.abort.signal).then(() => {
      this.restarting = false;
      if (this.stopped) return;
      this.restarts += 1;
      void this.lw.start().catch((e: unknown) => this.onError(e));
    });
  }
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const rec = err as Record<string, unknown>;
  const code = rec['code'] ?? rec['statusCode'];
  if (typeof code === 'number') return code;
  const body = rec['body'];
  if (typeof body === 'string' && /"code":\s*404/.test(body)) return 404;
  return err instanceof Error && /\b404\b/.test(err.message) ? 404 : undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message.slice(0, 300);
  if (typeof err === 'object' && err !== null) {
    const rec = err as Record<string, unknown>;
    const code = rec['code'] ?? rec['statusCode'];
    const message = rec['message'];
    return `${typeof code === 'number' ? `${code} ` : ''}${typeof message === 'string' ? message.slice(0, 300) : 'error'}`;
  }
  return String(err).slice(0, 300);
}
