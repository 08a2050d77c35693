// The vocabulary of the conformance truth tables (conformance-*.ts): an upstream test file of
// kubernetes-sigs/network-policy-api (conformance/tests/*.go) is a Scenario, each t.Run a Step with
// the patches it applies (they persist into later steps, as upstream) and its PokeServer
// expectations. Patches are written once and applied to either API version: v1alpha2
// ClusterNetworkPolicy (the manifests at upstream HEAD) or v1alpha1 AdminNetworkPolicy /
// BaselineAdminNetworkPolicy (the same scenarios just before upstream moved to v1alpha2).
import { compilePolicies } from '../../src/policy/engine.js';
import type { PolicyProtocol } from '../../src/policy/model.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import { conformanceManifest, HOST_NETWORK_PORTS, housesObjects, ns, podIp, podOf } from './houses.js';

export const G0 = 'gryffindor/harry-potter-0';
export const G1 = 'gryffindor/harry-potter-1';
export const S0 = 'slytherin/draco-malfoy-0';
export const S1 = 'slytherin/draco-malfoy-1';
export const H0 = 'hufflepuff/cedric-diggory-0';
export const H1 = 'hufflepuff/cedric-diggory-1';
export const R0 = 'ravenclaw/luna-lovegood-0';
export const R1 = 'ravenclaw/luna-lovegood-1';
export const C1 = 'forbidden-forrest/centaur-1';

/** `s.HostNetworkPorts[i]` of the upstream test: the centaurs' host-network ports. */
export interface HostPort {
  readonly host: number;
}
export function hp(index: number): HostPort {
  return { host: index };
}

/** `[client, server, protocol, port, connects]`, as PokeServer is called upstream. */
export type Poke = readonly [string, string, PolicyProtocol, number | HostPort, boolean];
type Direction = 'ingress' | 'egress';

export type Patch =
  /** Swap two rules of the scenario's policy (`mutate.Spec.Egress[a] = …Egress[b]`). */
  | { readonly swap: Direction; readonly a: number; readonly b: number }
  /** Replace a rule's ports by one named port (v1alpha2 `destinationNamedPort`, v1alpha1 `namedPort`). */
  | { readonly namedPort: Direction; readonly index: number; readonly port: string }
  | { readonly setPriority: number; readonly policy: string }
  | { readonly setAction: 'Pass'; readonly direction: Direction; readonly index: number }
  /** Prepend an Accept/Allow egress rule to these pods' IPs (/32). */
  | { readonly acceptNetworksOf: readonly string[] }
  | { readonly relabel: string; readonly labels: Record<string, string> }
  | { readonly deleteKind: 'NetworkPolicy' };

export interface Step {
  /** The upstream t.Run title. */
  readonly name: string;
  /** A t.Run (or part of one) that only one version's suite has. */
  readonly only?: Version;
  readonly patch?: readonly Patch[];
  readonly pokes: readonly Poke[];
}

export interface Scenario {
  /** conformance/tests/<file>.go */
  readonly upstream: string;
  /** conformance/base/<manifest> at upstream HEAD (v1alpha2 layout). */
  readonly manifest: string;
  /** The object the patches edit (`GetClusterNetworkPolicy(t, …, name)`). */
  readonly policy: string;
  /** Only where the two versions' tests differ (host ports, a client pod). */
  readonly only?: Version;
  readonly steps: readonly Step[];
}

export type Version = 'v1alpha2' | 'v1alpha1';

const V1ALPHA1_HOST_PORTS = [36363, 36364, 34345, 34358, 34346, 34357, 9003, 9005];

export function hostPortsOf(version: Version): readonly number[] {
  return version === 'v1alpha2' ? HOST_NETWORK_PORTS : V1ALPHA1_HOST_PORTS;
}

/** Our fixture file for a scenario's manifest under one API version. */
export function fixtureOf(manifest: string, version: Version): string {
  if (version === 'v1alpha2') return manifest.replace('/', '-');
  const old = manifest
    .replace(/^admin_tier\//, 'admin_network_policy/')
    .replace(/^baseline_tier\//, 'baseline_admin_network_policy/');
  return `v1alpha1/${old.replace('/', '-')}`;
}

type Obj = Record<string, unknown>;

class ScenarioState {
  objects: Obj[];
  readonly namespaceLabels = new Map<string, Record<string, string>>();
  constructor(
    readonly scenario: Scenario,
    readonly version: Version,
  ) {
    this.objects = conformanceManifest(fixtureOf(scenario.manifest, version), hostPortsOf(version));
  }

  spec(name: string): Obj {
    const found = this.objects.find((o) => (o['metadata'] as { name?: string } | undefined)?.name === name);
    if (found === undefined) throw new Error(`no object ${name}`);
    return found['spec'] as Obj;
  }

  rules(direction: Direction): Obj[] {
    return this.spec(this.scenario.policy)[direction] as Obj[];
  }

  apply(patch: Patch): void {
    const v2 = this.version === 'v1alpha2';
    if ('swap' in patch) {
      const rules = this.rules(patch.swap);
      [rules[patch.a], rules[patch.b]] = [rules[patch.b] as Obj, rules[patch.a] as Obj];
    } else if ('namedPort' in patch) {
      const rule = this.rules(patch.namedPort)[patch.index] as Obj;
      delete rule[v2 ? 'protocols' : 'ports'];
      if (v2) rule['protocols'] = [{ destinationNamedPort: patch.port }];
      else rule['ports'] = [{ namedPort: patch.port }];
    } else if ('setPriority' in patch) {
      this.spec(patch.policy)['priority'] = patch.setPriority;
    } else if ('setAction' in patch) {
      (this.rules(patch.direction)[patch.index] as Obj)['action'] = patch.setAction;
    } else if ('acceptNetworksOf' in patch) {
      const cidrs = patch.acceptNetworksOf.map((short) => {
        const [house, pod] = short.split('/') as [string, string];
        return `${podIp(house, Number(pod.slice(-1)))}/32`;
      });
      const rule = {
        name: 'allow-egress-to-specific-podIPs',
        action: v2 ? 'Accept' : 'Allow',
        to: [{ networks: cidrs }],
      };
      this.spec(this.scenario.policy)['egress'] = [rule, ...this.rules('egress')];
    } else if ('relabel' in patch) {
      this.namespaceLabels.set(ns(patch.relabel), patch.labels);
    } else {
      this.objects = this.objects.filter((o) => o['kind'] !== patch.deleteKind);
    }
  }

  /** Each poke with what our engine says instead of the expectation. */
  answer(pokes: readonly Poke[]): Poke[] {
    const cluster = housesObjects(hostPortsOf(this.version)).map((o) => {
      const name = (o['metadata'] as { name: string }).name;
      const labels = o['kind'] === 'Namespace' ? this.namespaceLabels.get(name) : undefined;
      return labels === undefined
        ? o
        : { ...o, metadata: { name, labels: { ...labels, 'kubernetes.io/metadata.name': name } } };
    });
    const parsed = parseClusterObjects([...cluster, ...this.objects]);
    if (parsed.problems.length > 0) throw new Error(JSON.stringify(parsed.problems));
    const engine = compilePolicies(parsed.snapshot);
    const hostPorts = hostPortsOf(this.version);
    return pokes.map(([from, to, protocol, port]) => {
      const number = typeof port === 'number' ? port : (hostPorts[port.host] as number);
      const verdict = engine.evaluate({
        from: { kind: 'pod', ...podOf(from) },
        to: { kind: 'pod', ...podOf(to) },
        port: number,
        protocol,
      }).verdict;
      return [from, to, protocol, port, verdict === 'allow'] as const;
    });
  }
}

/** Runs a scenario's steps in order; per step, the pokes as our engine answers them. */
export function runScenario(
  scenario: Scenario,
  version: Version,
): { step: string; expected: readonly Poke[]; got: Poke[] }[] {
  const state = new ScenarioState(scenario, version);
  return scenario.steps.flatMap((step) => {
    if (step.only !== undefined && step.only !== version) return [];
    for (const patch of step.patch ?? []) state.apply(patch);
    return [{ step: step.name, expected: step.pokes, got: state.answer(step.pokes) }];
  });
}
