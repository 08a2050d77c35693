// The restricted Pod Security Standard (https://kubernetes.io/docs/concepts/security/pod-security-standards/,
// baseline + restricted, version "latest") as a checker over a PodSpec: returns every violation as
// a sentence, empty when the pod is admissible in a namespace that enforces `restricted`.
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';

/** The only volume sources the restricted profile admits. */
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
/** Sysctls the baseline profile admits. */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

type AnyContainer = Pick<
  IContainer,
  'name' | 'ports' | 'securityContext' | 'livenessProbe' | 'readinessProbe' | 'startupProbe' | 'lifecycle'
>;

export function restrictedViolations(spec: IPodSpec): string[] {
  const out: string[] = [];
  const pod = spec.securityContext ?? {};
  if (spec.hostNetwork === true) out.push('hostNetwork is true');
  if (spec.hostPID === true) out.push('hostPID is true');
  if (spec.hostIPC === true) out.push('hostIPC is true');
  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== 'name');
    for (const type of types) {
      if (!RESTRICTED_VOLUME_TYPES.has(type))
        out.push(`volume ${volume.name} uses ${type}, not allowed by restricted`);
    }
  }
  for (const sysctl of pod.sysctls ?? []) {
    if (!SAFE_SYSCTLS.has(sysctl.name)) out.push(`sysctl ${sysctl.name} is not in the safe set`);
  }
  checkSeLinux(pod.seLinuxOptions, 'pod', out);
  if (
    pod.appArmorProfile !== undefined &&
    !['RuntimeDefault', 'Localhost'].includes(pod.appArmorProfile.type)
  ) {
    out.push(`pod appArmorProfile ${pod.appArmorProfile.type}`);
  }
  const podSeccomp = pod.seccompProfile?.type;
  if (podSeccomp !== undefined && !['RuntimeDefault', 'Localhost'].includes(podSeccomp))
    out.push(`pod seccompProfile ${podSeccomp}`);
  if (pod.runAsUser === 0) out.push('pod runAsUser is 0');

  const containers: AnyContainer[] = [
    ...spec.containers,
    ...(spec.initContainers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ];
  for (const container of containers) checkContainer(container, pod, out);
  return out;
}

function checkContainer(
  container: AnyContainer,
  pod: NonNullable<IPodSpec['securityContext']>,
  out: string[],
): void {
  const name = `container ${container.name}`;
  const sc: ISecurityContext = container.securityContext ?? {};
  if (sc.privileged === true) out.push(`${name} is privileged`);
  if (sc.allowPrivilegeEscalation !== false) out.push(`${name} does not set allowPrivilegeEscalation: false`);
  if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${name} procMount ${sc.procMount}`);
  const runAsNonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
  if (runAsNonRoot !== true)
    out.push(`${name} is not runAsNonRoot (neither the container nor the pod sets it)`);
  if (sc.runAsUser === 0) out.push(`${name} runAsUser is 0`);
  const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
  if (seccomp === undefined) out.push(`${name} has no seccompProfile (pod or container)`);
  else if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) out.push(`${name} seccompProfile ${seccomp}`);
  if (
    sc.appArmorProfile !== undefined &&
    !['RuntimeDefault', 'Localhost'].includes(sc.appArmorProfile.type)
  ) {
    out.push(`${name} appArmorProfile ${sc.appArmorProfile.type}`);
  }
  checkSeLinux(sc.seLinuxOptions, name, out);
  const drop = sc.capabilities?.drop ?? [];
  if (!drop.includes('ALL')) out.push(`${name} does not drop ALL capabilities`);
  for (const cap of sc.capabilities?.add ?? []) {
    if (cap !== 'NET_BIND_SERVICE') out.push(`${name} adds capability ${cap}`);
  }
  for (const port of container.ports ?? []) {
    if (port.hostPort !== undefined && port.hostPort !== 0)
      out.push(`${name} uses hostPort ${port.hostPort}`);
  }
  for (const [probeName, probe] of [
    ['liveness', container.livenessProbe],
    ['readiness', container.readinessProbe],
    ['startup', container.startupProbe],
  ] as const) {
    if (probe?.httpGet?.host !== undefined || probe?.tcpSocket?.host !== undefined)
      out.push(`${name} ${probeName} probe sets host`);
  }
  for (const hook of [container.lifecycle?.postStart, container.lifecycle?.preStop]) {
    if (hook?.httpGet?.host !== undefined || hook?.tcpSocket?.host !== undefined)
      out.push(`${name} lifecycle hook sets host`);
  }
}

function checkSeLinux(
  options: { type?: string; user?: string; role?: string } | undefined,
  where: string,
  out: string[],
): void {
  if (options === undefined) return;
  if (options.type !== undefined && !SELINUX_TYPES.has(options.type))
    out.push(`${where} seLinuxOptions.type ${options.type}`);
  if (options.user !== undefined && options.user !== '') out.push(`${where} sets seLinuxOptions.user`);
  if (options.role !== undefined && options.role !== '') out.push(`${where} sets seLinuxOptions.role`);
}
