// The analysis service's rendered-body caches (analysis.ts), bounded together by
// limits.bodyCacheBytes: 3/4 for the bodies of computed views, served stale-while-revalidate
// (view-cache.ts), and 1/4 for pages of current data (flows), reused only while the data version
// is exactly the same.
import {
  bodySize,
  CURRENT_BODIES_MAX,
  DEFAULT_BODY_CACHE_BYTES,
  DEFAULT_STALE_GRACE_MS,
  DEFAULT_STALE_MAX_AGE_MS,
  type AnalysisOptions,
} from './analysis-options.js';
import { renderJson, type RenderedBody } from './rendered-body.js';
import { ViewCache } from './view-cache.js';

type Options = Pick<
  AnalysisOptions,
  'bodyCacheBytes' | 'staleGraceMs' | 'staleMaxAgeMs' | 'logger' | 'dataVersion'
>;

export class RenderedBodies {
  /** The computed views' bodies (stale-while-revalidate). */
  readonly views: ViewCache<RenderedBody>;
  private readonly current: ViewCache<RenderedBody> | undefined;

  constructor(
    private readonly options: Options,
    spacing: { readonly minRefreshMs: number; readonly now: () => number },
  ) {
    const cacheBytes = options.bodyCacheBytes ?? DEFAULT_BODY_CACHE_BYTES;
    const currentBytes = Math.floor(cacheBytes / 4);
    this.views = new ViewCache<RenderedBody>({
      ...spacing,
      maxEntries: 256,
      maxBytes: cacheBytes - currentBytes,
      sizeOf: bodySize,
      staleGraceMs: options.staleGraceMs ?? DEFAULT_STALE_GRACE_MS,
      staleMaxAgeMs: options.staleMaxAgeMs ?? DEFAULT_STALE_MAX_AGE_MS,
      onError: (key, error) =>
        options.logger?.error(
          { err: error, view: key.split('|')[0] },
          'recomputing a view failed; serving the previous one',
        ),
    });
    // Only with a data version that changes on every write (the publishing store's): the polled
    // fallback is memoised and could serve a page written before the newest batch.
    this.current =
      options.dataVersion !== undefined
        ? new ViewCache<RenderedBody>({
            maxEntries: CURRENT_BODIES_MAX,
            maxBytes: currentBytes,
            sizeOf: bodySize,
            now: spacing.now,
          })
        : undefined;
  }

  /** A rendered body of the store's current data: never stale, re-rendered after every write. */
  currentBody(key: string, render: () => unknown): RenderedBody {
    const version = this.options.dataVersion;
    if (this.current === undefined || version === undefined) return renderJson(render());
    return this.current.getSync(key, version(), () => renderJson(render()));
  }

  /** Bytes held (bounded by bodyCacheBytes). */
  get bytes(): number {
    return this.views.bytes + (this.current?.bytes ?? 0);
  }
}
