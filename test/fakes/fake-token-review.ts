// A fake Kubernetes API server on loopback answering TokenReview and SubjectAccessReview the way
// the real one does (POST, the review object back with `status` filled), for driving the real
// @kubernetes/client-node calls of src/http/kube-auth.ts. Users: token → {username, groups};
// `allowed`: usernames the SubjectAccessReview allows. Records every review it answered.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import express from 'express';

export interface FakeReviewServer {
  readonly kubeConfig: KubeConfig;
  readonly port: number;
  readonly tokenReviews: string[];
  readonly accessReviews: { user: string; attributes: unknown }[];
  close(): Promise<void>;
}

/**
 * `decide`, when given, answers the SubjectAccessReview from the user and the resourceAttributes
 * (RBAC per verb/namespace). `port` brings a closed server back at the same address.
 */
export async function startFakeReviewServer(
  users: Record<string, { username: string; groups?: string[] }>,
  allowed: ReadonlySet<string>,
  decide?: (user: string, attributes: unknown) => boolean,
  port = 0,
): Promise<FakeReviewServer> {
  const tokenReviews: string[] = [];
  const accessReviews: { user: string; attributes: unknown }[] = [];
  const app = express();
  app.use(express.json());
  app.post('/apis/authentication.k8s.io/v1/tokenreviews', (req, res) => {
    const body = req.body as { spec?: { token?: string } };
    const token = body.spec?.token ?? '';
    tokenReviews.push(token);
    const user = users[token];
    res.status(201).json({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: body.spec,
      status:
        user !== undefined
          ? { authenticated: true, user }
          : { authenticated: false, error: 'invalid bearer token' },
    });
  });
  app.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', (req, res) => {
    const body = req.body as { spec?: { user?: string; resourceAttributes?: unknown } };
    const user = body.spec?.user ?? '';
    accessReviews.push({ user, attributes: body.spec?.resourceAttributes });
    const ok = decide !== undefined ? decide(user, body.spec?.resourceAttributes) : allowed.has(user);
    res.status(201).json({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: body.spec,
      status: { allowed: ok, ...(ok ? {} : { reason: 'no RBAC rule' }) },
    });
  });
  const server: Server = app.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const bound = (server.address() as AddressInfo).port;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${bound}`, skipTLSVerify: true }],
    users: [{ name: 'advisor', token: 'service-account-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'advisor' }],
    currentContext: 'fake',
  });
  return {
    kubeConfig,
    port: bound,
    tokenReviews,
    accessReviews,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
