// AdminNetworkPolicy, BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) and
// ClusterNetworkPolicy (v1alpha2), untrusted JSON → ClusterPolicy, validated as their CRD schemas
// do (kubernetes-sigs/network-policy-api apis/): priority 0-1000, exactly one subject field,
// actions per kind, at most 100 (v1alpha1) or 25 (v1alpha2) rules and peers, one field per peer
// and port, domain names only on Allow/Accept rules, no named port towards networks/nodes/domain
// names, the one BaselineAdminNetworkPolicy named `default`. An object the API server would
// refuse is a problem naming the field (and is left out). A peer with no field we know is kept as
// `unknown`, which the stage fails closed as the API asks.
import { parseCidr } from '../../net/ip.js';
import { dns1123SubdomainProblem, portNameProblem, quoteShort } from '../k8s-names.js';
import type { LabelSelector, PolicyProtocol } from '../model.js';
import { checkLabelSelector, type FieldProblem } from '../validate-policy.js';
import { isRecord } from '../../lib/is-record.js';
import type {
  ClusterPeer,
  ClusterPolicy,
  ClusterPolicyKind,
  ClusterPort,
  ClusterRule,
  ClusterRuleAction,
  ClusterSubject,
  ClusterTier,
  NamespacedPods,
} from './cluster-policy.js';

export interface ClusterPolicyParse {
  readonly policy: ClusterPolicy | undefined;
  readonly problems: readonly FieldProblem[];
}

const DOMAIN =
  /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;
const PROTOCOLS = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' } as const;

class Reader {
  readonly problems: FieldProblem[] = [];
  constructor(
    readonly kind: ClusterPolicyKind,
    readonly maxItems: number,
  ) {}
  get v2(): boolean {
    return this.kind === 'ClusterNetworkPolicy';
  }
  fail(path: string, message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  list(value: unknown, path: string, min: number): unknown[] | undefined {
    if (value === undefined || value === null) return min > 0 ? this.fail(path, 'required') : undefined;
    if (!Array.isArray(value)) return this.fail(path, 'must be a list');
    if (value.length < min) return this.fail(path, `must have at least ${min} item${min === 1 ? '' : 's'}`);
    if (value.length > this.maxItems)
      return this.fail(path, `must have at most ${this.maxItems} items (got ${value.length})`);
    return value as unknown[];
  }

  selector(value: unknown, path: string): LabelSelector | undefined {
    const checked = checkLabelSelector(value ?? {}, path);
    this.problems.push(...checked.problems);
    return checked.selector;
  }

  namespacedPods(value: unknown, path: string): NamespacedPods | undefined {
    if (!isRecord(value)) return this.fail(path, 'must be an object');
    if (value['podSelector'] === undefined || value['podSelector'] === null)
      return this.fail(`${path}.podSelector`, 'required');
    const namespaceSelector = this.selector(value['namespaceSelector'], `${path}.namespaceSelector`);
    const podSelector = this.selector(value['podSelector'], `${path}.podSelector`);
    return namespaceSelector === undefined || podSelector === undefined
      ? undefined
      : { namespaceSelector, podSelector };
  }

  /** The fields of an exactly-one-of object that are set (null counts as unset). */
  present(value: Record<string, unknown>, known: readonly string[]): { set: string[]; unknown: string[] } {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined && value[k] !== null);
    return { set: keys.filter((k) => known.includes(k)), unknown: keys.filter((k) => !known.includes(k)) };
  }

  subject(value: unknown, path: string): ClusterSubject | undefined {
    if (!isRecord(value)) return this.fail(path, 'required');
    const { set } = this.present(value, ['namespaces', 'pods']);
    if (set.length !== 1) return this.fail(path, 'exactly one of namespaces, pods must be set');
    if (set[0] === 'namespaces') {
      const namespaces = this.selector(value['namespaces'], `${path}.namespaces`);
      return namespaces === undefined ? undefined : { namespaces };
    }
    const pods = this.namespacedPods(value['pods'], `${path}.pods`);
    return pods === undefined ? undefined : { pods };
  }

  peer(value: unknown, path: string, egress: boolean, action: ClusterRuleAction): ClusterPeer | undefined {
    if (!isRecord(value)) return this.fail(path, 'must be an object');
    const known = egress
      ? [
          'namespaces',
          'pods',
          'nodes',
          'networks',
          ...(this.kind === 'BaselineAdminNetworkPolicy' ? [] : ['domainNames']),
        ]
      : ['namespaces', 'pods'];
    const { set, unknown } = this.present(value, known);
    if (set.length > 1)
      return this.fail(path, `exactly one of ${known.join(', ')} must be set (got ${set.join(', ')})`);
    const field = set[0];
    if (field === undefined)
      return { kind: 'unknown', fields: unknown.slice(0, 5).map((f) => f.slice(0, 64)) };
    const p = `${path}.${field}`;
    switch (field) {
      case 'namespaces': {
        const selector = this.selector(value[field], p);
        return selector === undefined ? undefined : { kind: 'namespaces', selector };
      }
      case 'nodes': {
        const selector = this.selector(value[field], p);
        return selector === undefined ? undefined : { kind: 'nodes', selector };
      }
      case 'pods': {
        const pods = this.namespacedPods(value[field], p);
        return pods === undefined ? undefined : { kind: 'pods', pods };
      }
      case 'networks': {
        const list = this.list(value[field], p, 1);
        if (list === undefined) return undefined;
        if (list.length > 25) return this.fail(p, `must have at most 25 items (got ${list.length})`);
        const cidrs: string[] = [];
        list.forEach((c, i) => {
          if (typeof c !== 'string' || c.length > 43 || parseCidr(c) === undefined)
            this.fail(`${p}[${i}]`, 'Invalid CIDR format provided');
          else cidrs.push(c);
        });
        return cidrs.length === list.length ? { kind: 'networks', cidrs } : undefined;
      }
      default: {
        if (action !== 'Allow' && action !== 'Accept')
          return this.fail(p, `domainNames is only supported for ${this.v2 ? 'Accept' : 'Allow'} rules`);
        const list = this.list(value[field], p, 1);
        if (list === undefined) return undefined;
        if (list.length > 25) return this.fail(p, `must have at most 25 items (got ${list.length})`);
        const names: string[] = [];
        list.forEach((n, i) => {
          if (typeof n !== 'string' || n.length > 253 || !DOMAIN.test(n))
            this.fail(`${p}[${i}]`, 'must be a domain name, optionally with a leading *.');
          else names.push(n.toLowerCase().replace(/\.$/, ''));
        });
        return names.length === list.length ? { kind: 'domainNames', names } : undefined;
      }
    }
  }

  portNumber(value: unknown, path: string): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535)
      return this.fail(path, 'must be an integer between 1 and 65535');
    return value;
  }

  protocol(value: unknown, path: string): PolicyProtocol | undefined {
    if (value === undefined || value === null) return 'TCP';
    if (value === 'TCP' || value === 'UDP' || value === 'SCTP') return value;
    return this.fail(
      path,
      `unsupported protocol ${typeof value === 'string' ? quoteShort(value) : typeof value} (TCP, UDP, SCTP)`,
    );
  }

  range(value: unknown, path: string, protocol: PolicyProtocol | undefined): ClusterPort | undefined {
    if (!isRecord(value)) return this.fail(path, 'must be an object');
    const from = this.portNumber(value['start'], `${path}.start`);
    const to = this.portNumber(value['end'], `${path}.end`);
    if (from === undefined || to === undefined || protocol === undefined) return undefined;
    if (from >= to) return this.fail(path, 'Start port must be less than End port');
    return { kind: 'number', protocol, from, to };
  }

  namedPort(value: unknown, path: string): ClusterPort | undefined {
    const problem = typeof value === 'string' ? portNameProblem(value) : 'must be a string';
    return problem !== undefined ? this.fail(path, problem) : { kind: 'named', name: value as string };
  }

  /** v1alpha1 `ports`: portNumber | namedPort | portRange. */
  portV1(value: unknown, path: string): ClusterPort | undefined {
    if (!isRecord(value)) return this.fail(path, 'must be an object');
    const { set } = this.present(value, ['portNumber', 'namedPort', 'portRange']);
    if (set.length !== 1)
      return this.fail(path, 'exactly one of portNumber, namedPort, portRange must be set');
    const field = set[0] as string;
    const raw = value[field];
    if (field === 'namedPort') return this.namedPort(raw, `${path}.namedPort`);
    if (!isRecord(raw)) return this.fail(`${path}.${field}`, 'must be an object');
    const protocol = this.protocol(raw['protocol'], `${path}.${field}.protocol`);
    if (field === 'portRange') return this.range(raw, `${path}.portRange`, protocol);
    const port = this.portNumber(raw['port'], `${path}.portNumber.port`);
    return port === undefined || protocol === undefined
      ? undefined
      : { kind: 'number', protocol, from: port, to: port };
  }

  /** v1alpha2 `protocols`: tcp | udp | sctp (each with destinationPort number | range) | destinationNamedPort. */
  protocolV2(value: unknown, path: string): ClusterPort | undefined {
    if (!isRecord(value)) return this.fail(path, 'must be an object');
    const { set } = this.present(value, ['tcp', 'udp', 'sctp', 'destinationNamedPort']);
    if (set.length !== 1)
      return this.fail(path, 'exactly one of tcp, udp, sctp, destinationNamedPort must be set');
    const field = set[0] as 'tcp' | 'udp' | 'sctp' | 'destinationNamedPort';
    if (field === 'destinationNamedPort') return this.namedPort(value[field], `${path}.destinationNamedPort`);
    const protocol = PROTOCOLS[field];
    const body = value[field];
    const p = `${path}.${field}.destinationPort`;
    if (!isRecord(body) || !isRecord(body['destinationPort'])) return this.fail(p, 'required');
    const port = body['destinationPort'];
    const { set: which } = this.present(port, ['number', 'range']);
    if (which.length !== 1) return this.fail(p, 'exactly one of number, range must be set');
    if (which[0] === 'range') return this.range(port['range'], `${p}.range`, protocol);
    const number = this.portNumber(port['number'], `${p}.number`);
    return number === undefined ? undefined : { kind: 'number', protocol, from: number, to: number };
  }

  rule(value: unknown, path: string, egress: boolean): ClusterRule | undefined {
    if (!isRecord(value)) return this.fail(path, 'must be an object');
    const name = value['name'];
    if (name !== undefined && name !== null && (typeof name !== 'string' || name.length > 100))
      this.fail(`${path}.name`, 'must be a string of at most 100 characters');
    const actions: readonly ClusterRuleAction[] = this.v2
      ? ['Accept', 'Deny', 'Pass']
      : this.kind === 'AdminNetworkPolicy'
        ? ['Allow', 'Deny', 'Pass']
        : ['Allow', 'Deny'];
    const action = value['action'];
    if (typeof action !== 'string' || !(actions as readonly string[]).includes(action)) {
      return this.fail(
        `${path}.action`,
        `must be one of ${actions.join(', ')} (got ${typeof action === 'string' ? quoteShort(action) : typeof action})`,
      );
    }
    const peersField = egress ? 'to' : 'from';
    const rawPeers = this.list(value[peersField], `${path}.${peersField}`, 1) ?? [];
    const peers = rawPeers.map((peer, i) =>
      this.peer(peer, `${path}.${peersField}[${i}]`, egress, action as ClusterRuleAction),
    );
    const portsField = this.v2 ? 'protocols' : 'ports';
    const rawPorts =
      value[portsField] === undefined || value[portsField] === null
        ? undefined
        : this.list(value[portsField], `${path}.${portsField}`, 1);
    const ports = rawPorts?.map((port, i) =>
      this.v2
        ? this.protocolV2(port, `${path}.${portsField}[${i}]`)
        : this.portV1(port, `${path}.${portsField}[${i}]`),
    );
    if (
      ports?.some((p) => p?.kind === 'named') === true &&
      peers.some((p) => p?.kind === 'networks' || p?.kind === 'nodes' || p?.kind === 'domainNames')
    ) {
      this.fail(
        path,
        'networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames',
      );
    }
    if (
      peers.length === 0 ||
      peers.some((p) => p === undefined) ||
      ports?.some((p) => p === undefined) === true
    )
      return undefined;
    return {
      name: typeof name === 'string' && name !== '' ? name : undefined,
      action: action as ClusterRuleAction,
      peers: peers as ClusterPeer[],
      ports: ports as ClusterPort[] | undefined,
    };
  }
}

export function parseClusterPolicy(
  object: Record<string, unknown>,
  kind: ClusterPolicyKind,
  name: string,
): ClusterPolicyParse {
  const r = new Reader(kind, kind === 'ClusterNetworkPolicy' ? 25 : 100);
  const nameProblem = dns1123SubdomainProblem(name);
  if (nameProblem !== undefined)
    return { policy: undefined, problems: [{ path: 'metadata.name', message: nameProblem }] };
  if (kind === 'BaselineAdminNetworkPolicy' && name !== 'default') {
    return {
      policy: undefined,
      problems: [
        {
          path: 'metadata.name',
          message:
            'Only one baseline admin network policy with metadata.name="default" can be created in the cluster',
        },
      ],
    };
  }
  const spec = object['spec'];
  if (!isRecord(spec)) return { policy: undefined, problems: [{ path: 'spec', message: 'required' }] };
  let tier: ClusterTier = kind === 'BaselineAdminNetworkPolicy' ? 'Baseline' : 'Admin';
  if (kind === 'ClusterNetworkPolicy') {
    const raw = spec['tier'];
    if (raw === 'Admin' || raw === 'Baseline') tier = raw;
    else
      r.fail(
        'spec.tier',
        `must be Admin or Baseline (got ${typeof raw === 'string' ? quoteShort(raw) : typeof raw})`,
      );
  }
  let priority: number | undefined;
  if (kind !== 'BaselineAdminNetworkPolicy') {
    const raw = spec['priority'];
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 1000)
      r.fail('spec.priority', 'must be an integer from 0 to 1000');
    else priority = raw;
  }
  const subject = r.subject(spec['subject'], 'spec.subject');
  const rules = (field: 'ingress' | 'egress'): ClusterRule[] =>
    (r.list(spec[field], `spec.${field}`, 0) ?? [])
      .map((rule, i) => r.rule(rule, `spec.${field}[${i}]`, field === 'egress'))
      .filter((rule): rule is ClusterRule => rule !== undefined);
  const ingress = rules('ingress');
  const egress = rules('egress');
  if (r.problems.length > 0 || subject === undefined) return { policy: undefined, problems: r.problems };
  return { policy: { kind, name, tier, priority, subject, ingress, egress }, problems: [] };
}
