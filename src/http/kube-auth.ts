// auth.mode kubernetes: who is this bearer token (TokenReview), and may they use the advisor
// (SubjectAccessReview: `list` on `networkpolicies.networking.k8s.io` cluster-wide — what the
// built-in `view` ClusterRole grants, and what the dashboard shows). Answers are cached briefly
// (positive and negative, keyed by a hash of the token, bounded), concurrent reviews of one
// token share one request, and API server errors are not cached (the caller answers 503).
import { createHash } from 'node:crypto';
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';

export type ReviewOutcome = 'allowed' | 'denied' | 'unauthenticated';

/** The access the SubjectAccessReview asks about (README "Access control"). */
export const REQUIRED_ACCESS = Object.freeze({
  verb: 'list',
  group: 'networking.k8s.io',
  resource: 'networkpolicies',
});

export interface TokenReviewer {
  review(token: string): Promise<ReviewOutcome>;
}

export interface KubeTokenReviewerOptions {
  readonly kubeConfig: KubeConfig;
  readonly positiveTtlMs?: number;
  readonly negativeTtlMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export class KubeTokenReviewer implements TokenReviewer {
  private readonly authn: AuthenticationV1Api;
  private readonly authz: AuthorizationV1Api;
  private readonly cache = new Map<string, { outcome: ReviewOutcome; expiresMs: number }>();
  private readonly inFlight = new Map<string, Promise<ReviewOutcome>>();
  private readonly positiveTtlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Reviews sent to the API server (for tests and metrics). */
  reviews = 0;

  constructor(options: KubeTokenReviewerOptions) {
    this.authn = options.kubeConfig.makeApiClient(AuthenticationV1Api);
    this.authz = options.kubeConfig.makeApiClient(AuthorizationV1Api);
    this.positiveTtlMs = options.positiveTtlMs ?? 60_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? Date.now;
  }

  async review(token: string): Promise<ReviewOutcome> {
    const key = createHash('sha256').update(token, 'utf8').digest('base64');
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.expiresMs > this.now()) return cached.outcome;
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.ask(token).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const outcome = await pending;
    this.remember(key, outcome);
    return outcome;
  }

  private remember(key: string, outcome: ReviewOutcome): void {
    this.cache.delete(key);
    this.cache.set(key, {
      outcome,
      expiresMs: this.now() + (outcome === 'allowed' ? this.positiveTtlMs : this.negativeTtlMs),
    });
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done === true) break;
      this.cache.delete(oldest.value);
    }
  }

  private async ask(token: string): Promise<ReviewOutcome> {
    this.reviews++;
    const review = await this.authn.createTokenReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    });
    const status = review.status;
    const user = status?.user;
    if (status?.authenticated !== true || user?.username === undefined) return 'unauthenticated';
    const username: string = user.username;
    const access = await this.authz.createSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: username,
          ...(user.uid !== undefined ? { uid: user.uid } : {}),
          ...(user.groups !== undefined ? { groups: user.groups } : {}),
          ...(user.extra !== undefined ? { extra: user.extra } : {}),
          resourceAttributes: { ...REQUIRED_ACCESS },
        },
      },
    });
    return access.status?.allowed === true ? 'allowed' : 'denied';
  }
}
