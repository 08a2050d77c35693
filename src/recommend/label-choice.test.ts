import { describe, expect, it } from 'vitest';
import { chooseSelector, isValidLabelValue, isVolatileLabel, stableLabels } from './label-choice.js';

describe('chooseSelector without a snapshot', () => {
  it('prefers app.kubernetes.io/name with instance and component', () => {
    const choice = chooseSelector({
      labels: {
        'app.kubernetes.io/name': 'ingress-nginx',
        'app.kubernetes.io/component': 'controller',
        'app.kubernetes.io/instance': 'main',
        app: 'x',
        'pod-template-hash': '5d8f9',
      },
    });
    expect(choice.matchLabels).toEqual({
      'app.kubernetes.io/name': 'ingress-nginx',
      'app.kubernetes.io/instance': 'main',
      'app.kubernetes.io/component': 'controller',
    });
    expect(choice.exact).toBeUndefined();
  });
  it('falls back to app, then k8s-app, then name', () => {
    expect(chooseSelector({ labels: { app: 'web', 'pod-template-hash': 'abc' } }).matchLabels).toEqual({
      app: 'web',
    });
    expect(chooseSelector({ labels: { 'k8s-app': 'kube-dns', name: 'x' } }).matchLabels).toEqual({
      'k8s-app': 'kube-dns',
    });
    expect(chooseSelector({ labels: { name: 'x', team: 'a' } }).matchLabels).toEqual({ name: 'x' });
  });
  it('never uses volatile labels', () => {
    const choice = chooseSelector({
      labels: {
        'pod-template-hash': 'a',
        'controller-revision-hash': 'b',
        'statefulset.kubernetes.io/pod-name': 'db-0',
        'apps.kubernetes.io/pod-index': '0',
        'batch.kubernetes.io/controller-uid': 'u',
        'controller-uid': 'u',
        'job-name': 'backup-29012345',
      },
    });
    expect(choice.matchLabels).toEqual({});
    expect(choice.warnings.length).toBe(1);
  });
  it('keeps a job-name without a generated suffix, drops a CronJob run suffix', () => {
    expect(isVolatileLabel('job-name', 'migrate')).toBe(false);
    expect(isVolatileLabel('job-name', 'backup-29012345')).toBe(true);
  });
  it('uses all stable labels when none is conventional', () => {
    expect(
      chooseSelector({ labels: { team: 'a', tier: 'x', 'io.kubernetes.pod.namespace': 'ns' } }).matchLabels,
    ).toEqual({ tier: 'x' });
    expect(chooseSelector({ labels: { team: 'a', owner: 'b' } }).matchLabels).toEqual({
      owner: 'b',
      team: 'a',
    });
  });
  it('drops label values that Kubernetes would reject', () => {
    expect(stableLabels({ app: 'a b', ok: 'fine', 'bad key': 'x', long: 'x'.repeat(64) })).toEqual({
      ok: 'fine',
    });
    expect(isValidLabelValue('')).toBe(true);
    expect(isValidLabelValue('-x')).toBe(false);
  });
});

describe('chooseSelector with a snapshot', () => {
  it('adds labels until only the workload is selected', () => {
    const choice = chooseSelector({
      labels: {},
      workloadPods: [
        { app: 'api', component: 'server', 'pod-template-hash': '1' },
        { app: 'api', component: 'server', 'pod-template-hash': '2' },
      ],
      otherPods: [{ app: 'api', component: 'worker' }, { app: 'web' }],
    });
    expect(choice.matchLabels).toEqual({ app: 'api', component: 'server' });
    expect(choice.exact).toBe(true);
  });
  it('takes the labels common to all pods, not the ones of the latest pod only', () => {
    const choice = chooseSelector({
      labels: { app: 'x', version: 'v2' },
      workloadPods: [
        { app: 'x', version: 'v1' },
        { app: 'x', version: 'v2' },
      ],
      otherPods: [],
    });
    expect(choice.matchLabels).toEqual({ app: 'x' });
  });
  it('warns when no stable label tells the workload apart', () => {
    const choice = chooseSelector({
      labels: {},
      workloadPods: [{ app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' }],
      otherPods: [{ app: 'db', 'statefulset.kubernetes.io/pod-name': 'db2-0' }],
    });
    expect(choice.exact).toBe(false);
    expect(choice.matchLabels).toEqual({ app: 'db' });
    expect(choice.warnings[0]).toMatch(/also matches 1 pod/);
  });
});
