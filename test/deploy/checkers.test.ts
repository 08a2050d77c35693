// The checkers behind the manifest tests must reject what they are there to reject; otherwise a
// green manifest test would prove nothing.
import { describe, expect, it } from 'vitest';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { INetworkPolicySpec } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicySpec';
import { restrictedViolations } from './pod-security.js';
import { rbacViolations, summarizePolicies } from './least-privilege.js';

function goodPod(): IPodSpec {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'x',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
    volumes: [
      { name: 'data', persistentVolumeClaim: { claimName: 'd' } },
      { name: 'tmp', emptyDir: {} },
    ],
  };
}

describe('restrictedViolations', () => {
  it('accepts a restricted pod', () => {
    expect(restrictedViolations(goodPod())).toEqual([]);
  });

  it.each<[string, (pod: IPodSpec) => void, RegExp]>([
    ['hostPath', (p) => p.volumes?.push({ name: 'logs', hostPath: { path: '/var/log' } }), /hostPath/],
    [
      'hostNetwork',
      (p) => {
        p.hostNetwork = true;
      },
      /hostNetwork/,
    ],
    [
      'hostPID',
      (p) => {
        p.hostPID = true;
      },
      /hostPID/,
    ],
    [
      'privileged',
      (p) => {
        p.containers[0]!.securityContext!.privileged = true;
      },
      /privileged/,
    ],
    [
      'privilege escalation',
      (p) => {
        delete p.containers[0]!.securityContext!.allowPrivilegeEscalation;
      },
      /allowPrivilegeEscalation/,
    ],
    [
      'capabilities kept',
      (p) => {
        p.containers[0]!.securityContext!.capabilities = { drop: ['NET_RAW'] };
      },
      /drop ALL/,
    ],
    [
      'capability added',
      (p) => {
        p.containers[0]!.securityContext!.capabilities!.add = ['SYS_ADMIN'];
      },
      /SYS_ADMIN/,
    ],
    [
      'root allowed',
      (p) => {
        delete p.securityContext!.runAsNonRoot;
      },
      /runAsNonRoot/,
    ],
    [
      'runs as uid 0',
      (p) => {
        p.containers[0]!.securityContext!.runAsUser = 0;
      },
      /runAsUser is 0/,
    ],
    [
      'unconfined seccomp',
      (p) => {
        p.containers[0]!.securityContext!.seccompProfile = { type: 'Unconfined' };
      },
      /Unconfined/,
    ],
    [
      'no seccomp',
      (p) => {
        delete p.securityContext!.seccompProfile;
      },
      /seccompProfile/,
    ],
    [
      'hostPort',
      (p) => {
        p.containers[0]!.ports = [{ containerPort: 80, hostPort: 80 }];
      },
      /hostPort/,
    ],
    [
      'unsafe sysctl',
      (p) => {
        p.securityContext!.sysctls = [{ name: 'kernel.msgmax', value: '1' }];
      },
      /kernel.msgmax/,
    ],
    [
      'init container escalates',
      (p) => {
        p.initContainers = [{ name: 'init', image: 'x' }];
      },
      /container init/,
    ],
  ])('rejects %s', (_name, mutate, message) => {
    const pod = goodPod();
    mutate(pod);
    expect(restrictedViolations(pod).join('\n')).toMatch(message);
  });
});

describe('rbacViolations', () => {
  const read = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] };

  it('accepts reads of the inventory and the two review creates', () => {
    expect(
      rbacViolations([
        read,
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      ]),
    ).toEqual([]);
  });

  it.each<
    [
      string,
      { apiGroups?: string[]; resources?: string[]; verbs: string[]; nonResourceURLs?: string[] },
      RegExp,
    ]
  >([
    ['a wildcard verb', { apiGroups: [''], resources: ['pods'], verbs: ['*'] }, /wildcard/],
    ['a wildcard resource', { apiGroups: [''], resources: ['*'], verbs: ['get'] }, /wildcard/],
    ['reading secrets', { apiGroups: [''], resources: ['secrets'], verbs: ['get'] }, /get on secrets/],
    ['writing pods', { apiGroups: [''], resources: ['pods'], verbs: ['delete'] }, /delete on pods/],
    [
      'creating other reviews',
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectrulesreviews'], verbs: ['create'] },
      /create on selfsubjectrulesreviews/,
    ],
    ['pods/exec', { apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] }, /pods\/exec/],
    ['nonResourceURLs', { verbs: ['get'], nonResourceURLs: ['/metrics'] }, /nonResourceURLs/],
  ])('rejects %s', (_name, rule, message) => {
    expect(rbacViolations([read, rule]).join('\n')).toMatch(message);
  });
});

describe('summarizePolicies', () => {
  const dns = {
    to: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ],
    ports: [{ protocol: 'UDP' as const, port: 53 }],
  };
  const base: INetworkPolicySpec = {
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }],
    egress: [dns],
  };

  it('classifies the allowed rules', () => {
    expect(summarizePolicies([base], 8080)).toEqual({
      ingressPorts: ['TCP/8080'],
      egress: ['dns'],
      violations: [],
    });
  });

  it.each<[string, INetworkPolicySpec, RegExp]>([
    [
      'egress anywhere on any port',
      { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
      /egress rule/,
    ],
    [
      'egress to an unlisted port',
      { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 22 }] }] },
      /egress rule/,
    ],
    [
      'DNS to every namespace',
      {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            ...dns,
            to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          },
        ],
      },
      /egress rule/,
    ],
    [
      'egress to the internet',
      {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }] }],
      },
      /egress rule/,
    ],
    [
      'ingress to another port',
      { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 22 }] }] },
      /ingress to TCP\/22/,
    ],
    ['ingress on every port', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }, /every port/],
    [
      'egress rules without the Egress type',
      { podSelector: {}, policyTypes: ['Ingress'], egress: [dns] },
      /no Egress policyType/,
    ],
  ])('rejects %s', (_name, spec, message) => {
    expect(summarizePolicies([base, spec], 8080).violations.join('\n')).toMatch(message);
  });
});
