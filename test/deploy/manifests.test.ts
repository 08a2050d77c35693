// Renders each overlay in deploy/ with `kubectl kustomize` and checks what would be applied: schema
// validity, least-privilege RBAC, the restricted Pod Security Standard, the advisor's own
// NetworkPolicies, and that the config, mounts and image agree with each other.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { ClusterRole, type IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import {
  ClusterRoleBinding,
  type IClusterRoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { loadConfig } from '../../src/config/load.js';
import {
  findObject,
  hasKubectl,
  kubectl,
  overlays,
  renderOverlay,
  type KubeObject,
  type Overlay,
} from './render.js';
import { restrictedViolations } from './pod-security.js';
import { rbacViolations, summarizePolicies } from './least-privilege.js';
import { skipWhenMissing } from '../ci-tools.js';

const skip = skipWhenMissing(
  hasKubectl(),
  `"${kubectl}" (kubectl, for kustomize; .ci/run installs Debian's kubernetes-client)`,
);

/** Every kind the deploy may contain, with its OpenAPI model; a new kind must be added here. */
const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const NAMESPACE = 'netpol-advisor';
const API_PORT = 8080;
const SOURCE_EGRESS = { cilium: 'hubble-relay', calico: 'goldmane' } as const;

const scratch = mkdtempSync(path.join(tmpdir(), 'netpol-deploy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(skip).each(overlays)('deploy/overlays/%s', (overlay: Overlay) => {
  // Rendered while collecting, so a kustomize error fails the suite with kubectl's message. Objects
  // are read through the kubernetes-models types; the schema test proves that they fit them.
  const objects = skip ? [] : renderOverlay(overlay);
  const deployment = objects.find((o) => o.kind === 'Deployment') as IDeployment | undefined;
  const podSpec = deployment?.spec?.template.spec;
  const container = podSpec?.containers.find((c) => c.name === 'netpol-advisor');

  it('renders the expected objects, namespaced in netpol-advisor', () => {
    const kinds = objects.map((o) => o.kind).sort();
    expect(new Set(kinds)).toEqual(
      new Set([
        'Namespace',
        'ServiceAccount',
        'ClusterRole',
        'ClusterRoleBinding',
        'ConfigMap',
        'PersistentVolumeClaim',
        'Deployment',
        'Service',
        'NetworkPolicy',
      ]),
    );
    for (const object of objects) {
      if (['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind))
        expect(object.metadata.namespace, object.kind).toBeUndefined();
      else expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(NAMESPACE);
    }
  });

  it('every object validates against the Kubernetes OpenAPI schema', () => {
    for (const object of objects) {
      const model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(model, `no schema model registered for ${object.apiVersion} ${object.kind}`).toBeDefined();
      if (model === undefined) continue;
      expect(
        () => new model(object as never).validate(),
        `${object.kind}/${object.metadata.name}`,
      ).not.toThrow();
    }
  });

  it('RBAC grants only get/list/watch on the inventory and create on token/access reviews, to our ServiceAccount', () => {
    const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
    expect(roles).toHaveLength(1);
    const role = roles[0] as unknown as IClusterRole;
    expect(rbacViolations(role.rules ?? [])).toEqual([]);
    expect(role.aggregationRule).toBeUndefined();
    const grantedVerbs = new Set((role.rules ?? []).flatMap((r) => r.verbs));
    expect(grantedVerbs).toEqual(new Set(['get', 'list', 'watch', 'create']));

    const bindings = objects.filter(
      (o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding',
    ) as unknown as IClusterRoleBinding[];
    expect(bindings).toHaveLength(1);
    const binding = bindings[0] as IClusterRoleBinding;
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata?.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'netpol-advisor', namespace: NAMESPACE },
    ]);
    expect(podSpec?.serviceAccountName).toBe('netpol-advisor');
  });

  it('the pod meets the restricted Pod Security Standard, and the namespace enforces it', () => {
    expect(podSpec).toBeDefined();
    if (podSpec === undefined) return;
    expect(restrictedViolations(podSpec)).toEqual([]);
    const namespace = findObject(objects, 'Namespace', NAMESPACE);
    expect(
      (namespace.metadata as { labels?: Record<string, string> }).labels?.[
        'pod-security.kubernetes.io/enforce'
      ],
    ).toBe('restricted');
    // Beyond the standard: numeric non-root ids, read-only root filesystem, nothing from the host.
    expect(podSpec.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(podSpec.securityContext?.runAsGroup).toBeGreaterThan(0);
    expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(container?.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(container?.securityContext?.capabilities?.drop).toEqual(['ALL']);
    expect(container?.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
  });

  it('runs one replica with Recreate, probes, resource bounds and writable volumes only where it writes', () => {
    expect(deployment?.spec?.replicas).toBe(1);
    expect(deployment?.spec?.strategy?.type).toBe('Recreate');
    expect(container?.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container?.ports).toEqual([{ name: 'http', containerPort: API_PORT, protocol: 'TCP' }]);
    for (const key of ['cpu', 'memory'] as const) {
      expect(container?.resources?.requests?.[key], `requests.${key}`).toBeDefined();
    }
    expect(container?.resources?.limits?.['memory']).toBeDefined();
    const mounts = new Map((container?.volumeMounts ?? []).map((m) => [m.mountPath, m]));
    const volumes = new Map((podSpec?.volumes ?? []).map((v) => [v.name, v]));
    const data = mounts.get('/var/lib/netpol-advisor');
    expect(volumes.get(data?.name ?? '')?.persistentVolumeClaim?.claimName).toBe('netpol-advisor-data');
    findObject(objects, 'PersistentVolumeClaim', 'netpol-advisor-data');
    expect(volumes.get(mounts.get('/tmp')?.name ?? '')?.emptyDir).toBeDefined();
    for (const mount of container?.volumeMounts ?? []) {
      if (!['/var/lib/netpol-advisor', '/tmp'].includes(mount.mountPath))
        expect(mount.readOnly, mount.mountPath).toBe(true);
    }
    const service = findObject(objects, 'Service', 'netpol-advisor') as unknown as {
      spec: { type: string; ports: { port: number; targetPort: string }[]; selector: Record<string, string> };
    };
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([
      { name: 'http', port: API_PORT, targetPort: 'http', protocol: 'TCP' },
    ]);
    expect(deployment?.spec?.template.metadata?.labels).toMatchObject(service.spec.selector);
  });

  it('mounts a config that the daemon accepts, with its database and TLS files on mounted volumes', () => {
    const configVolume = (podSpec?.volumes ?? []).find(
      (v) =>
        v.configMap !== undefined &&
        (container?.volumeMounts ?? []).some(
          (m) => m.name === v.name && m.mountPath === '/etc/netpol-advisor',
        ),
    );
    expect(configVolume, 'a ConfigMap mounted at /etc/netpol-advisor').toBeDefined();
    // The generated name carries a content hash; the Deployment must refer to the rendered one.
    const configMap = findObject(objects, 'ConfigMap', configVolume?.configMap?.name) as KubeObject & {
      data: Record<string, string>;
    };
    const text = configMap.data['config.yaml'];
    expect(text).toBeDefined();
    expect(container?.args).toEqual(['serve', '--config', '/etc/netpol-advisor/config.yaml']);

    const file = path.join(scratch, `${overlay}-config.yaml`);
    writeFileSync(file, text ?? '');
    const loaded = loadConfig({ file, env: {} });
    expect(loaded.ok ? [] : loaded.problems).toEqual([]);
    if (!loaded.ok) return;
    const { config } = loaded;
    expect(config.listen).toBe(`0.0.0.0:${API_PORT}`);
    expect(config.auth.mode).not.toBe('none');
    expect(config.kubernetes.enabled).toBe(true);
    expect(config.db.startsWith('/var/lib/netpol-advisor/')).toBe(true);
    expect(config.demoMode).toBe(false);
    const source = config.sources[0];
    expect(config.sources).toHaveLength(1);
    expect(source?.type).toBe(overlay === 'cilium' ? 'hubble-relay' : 'goldmane');
    const mountPaths = (container?.volumeMounts ?? []).map((m) => m.mountPath);
    if (source !== undefined && (source.type === 'hubble-relay' || source.type === 'goldmane')) {
      for (const tlsFile of [source.tls?.ca, source.tls?.cert, source.tls?.key]) {
        if (tlsFile === undefined) continue;
        expect(
          mountPaths.some((p) => path.dirname(tlsFile) === p),
          `${tlsFile} is on a mounted Secret`,
        ).toBe(true);
      }
    }
  });

  it("the advisor's own NetworkPolicies admit only its API port in, and DNS, the API server, its flow source and the alert placeholder out", () => {
    const podLabels = deployment?.spec?.template.metadata?.labels ?? {};
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as INetworkPolicy[];
    const selecting = policies.filter((p) =>
      Object.entries(p.spec?.podSelector?.matchLabels ?? {}).every(([k, v]) => podLabels[k] === v),
    );
    expect(selecting).toHaveLength(policies.length);
    const summary = summarizePolicies(
      selecting.map((p) => p.spec ?? { podSelector: {} }),
      API_PORT,
    );
    expect(summary.violations).toEqual([]);
    expect(summary.ingressPorts).toEqual([`TCP/${API_PORT}`]);
    expect(new Set(summary.egress)).toEqual(
      new Set(['dns', 'kubernetes-api', SOURCE_EGRESS[overlay], 'alerts-placeholder']),
    );
    // Default deny both ways: some policy selecting the pod declares each type.
    const types = new Set(selecting.flatMap((p) => p.spec?.policyTypes ?? []));
    expect(types).toEqual(new Set(['Ingress', 'Egress']));
  });

  it('the egress rule for the flow source matches the address in the config', () => {
    const configMap = objects.find((o) => o.kind === 'ConfigMap') as KubeObject & {
      data: Record<string, string>;
    };
    const address = /address:\s*"([a-z0-9-]+)\.([a-z0-9-]+)\.svc:(\d+)"/.exec(
      configMap.data['config.yaml'] ?? '',
    );
    expect(address, 'a hubble-relay/goldmane address NAME.NAMESPACE.svc:PORT').not.toBeNull();
    const [, service, namespace, port] = address ?? [];
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as INetworkPolicy[];
    const rule = policies
      .flatMap((p) => p.spec?.egress ?? [])
      .find((r) => r.to?.[0]?.podSelector?.matchLabels?.['k8s-app'] === service);
    expect(rule?.to?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']).toBe(namespace);
    expect(rule?.ports?.map((p) => String(p.port))).toContain(port);
  });
});
