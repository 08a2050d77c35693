// auth.mode kubernetes, write access (shadow mode): who is this bearer token (TokenReview), and
// may they create NetworkPolicies in the staged set's namespace (SubjectAccessReview `create` on
// `networkpolicies.networking.k8s.io` there; cluster-wide when no namespace is given, which is
// what the dashboard asks to decide whether to show its write buttons). Answers are cached
// briefly per token hash and namespace (bounded); API server errors are not cached.
import { createHash } from 'node:crypto';
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';

export const WRITE_ACCESS = Object.freeze({
  verb: 'create',
  group: 'networking.k8s.io',
  resource: 'networkpolicies',
});

export interface WriteReview {
  readonly outcome: 'allowed' | 'denied' | 'unauthenticated';
  /** The username the TokenReview returned (the identity logged with every change). */
  readonly user?: string;
}

export interface WriteReviewer {
  reviewWrite(token: string, namespace: string | undefined): Promise<WriteReview>;
}

export interface KubeWriteReviewerOptions {
  readonly kubeConfig: KubeConfig;
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export class KubeWriteReviewer implements WriteReviewer {
  private readonly authn: AuthenticationV1Api;
  private readonly authz: AuthorizationV1Api;
  private readonly cache = new Map<string, { review: WriteReview; expiresMs: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: KubeWriteReviewerOptions) {
    this.authn = options.kubeConfig.makeApiClient(AuthenticationV1Api);
    this.authz = options.kubeConfig.makeApiClient(AuthorizationV1Api);
    this.ttlMs = options.ttlMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? Date.now;
  }

  async reviewWrite(token: string, namespace: string | undefined): Promise<WriteReview> {
    const key = `${createHash('sha256').update(token, 'utf8').digest('base64')}|${namespace ?? '*'}`;
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.expiresMs > this.now()) return cached.review;
    const review = await this.ask(token, namespace);
    this.cache.delete(key);
    this.cache.set(key, { review, expiresMs: this.now() + this.ttlMs });
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done === true) break;
      this.cache.delete(oldest.value);
    }
    return review;
  }

  private async ask(token: string, namespace: string | undefined): Promise<WriteReview> {
    const review = await this.authn.createTokenReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    });
    const user = review.status?.user;
    if (review.status?.authenticated !== true || user?.username === undefined)
      return { outcome: 'unauthenticated' };
    const access = await this.authz.createSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.username,
          ...(user.uid !== undefined ? { uid: user.uid } : {}),
          ...(user.groups !== undefined ? { groups: user.groups } : {}),
          ...(user.extra !== undefined ? { extra: user.extra } : {}),
          resourceAttributes: { ...WRITE_ACCESS, ...(namespace !== undefined ? { namespace } : {}) },
        },
      },
    });
    return { outcome: access.status?.allowed === true ? 'allowed' : 'denied', user: user.username };
  }
}
