// Strict validation of a NetworkPolicy object as the API server does it
// (pkg/apis/networking/validation ValidateNetworkPolicy): label selectors, ports (1-65535 or an
// IANA_SVC_NAME, endPort only with a numeric port and >= it), peers (at least one selector,
// ipBlock alone), CIDRs (except a strict subset of cidr) and policyTypes. Input is untrusted
// JSON; every problem is reported with its field path, and a typed NetworkPolicy is built only
// when there are none.
import { isRecord } from '../lib/is-record.js';
import { cidrCovers, parseCidr } from '../net/ip.js';
import type {
  IPBlock,
  LabelSelector,
  LabelSelectorRequirement,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PolicyProtocol,
  PolicyType,
  SelectorOperator,
} from './model.js';
import {
  describeShort,
  labelValueProblem,
  portNameProblem,
  qualifiedNameProblem,
  quoteShort,
} from './k8s-names.js';

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

const MAX_LIST = 10_000;
const PROTOCOLS: readonly PolicyProtocol[] = ['TCP', 'UDP', 'SCTP'];
const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

class Checker {
  readonly problems: FieldProblem[] = [];
  fail(path: string, message: string): void {
    this.problems.push({ path, message });
  }
  list(value: unknown, path: string): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.fail(path, 'must be a list');
      return undefined;
    }
    if (value.length > MAX_LIST) {
      this.fail(path, `too many entries (${value.length} > ${MAX_LIST})`);
      return undefined;
    }
    return value as unknown[];
  }
  labels(value: unknown, path: string, checkSyntax: boolean): Record<string, string> | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) {
      this.fail(path, 'must be a map of strings');
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(value)) {
      if (typeof v !== 'string') {
        this.fail(`${path}[${quoteShort(key)}]`, 'must be a string');
        continue;
      }
      const keyProblem = checkSyntax ? qualifiedNameProblem(key) : undefined;
      if (keyProblem !== undefined) this.fail(path, `invalid label key: ${keyProblem}`);
      const valueProblem = checkSyntax ? labelValueProblem(v) : undefined;
      if (valueProblem !== undefined)
        this.fail(`${path}[${quoteShort(key)}]`, `invalid label value: ${valueProblem}`);
      out[key] = v;
    }
    return out;
  }
  selector(value: unknown, path: string): LabelSelector | undefined {
    if (!isRecord(value)) {
      this.fail(path, 'must be a label selector object');
      return undefined;
    }
    const matchLabels = this.labels(value['matchLabels'], `${path}.matchLabels`, true);
    const expressions: LabelSelectorRequirement[] = [];
    (this.list(value['matchExpressions'], `${path}.matchExpressions`) ?? []).forEach((raw, i) => {
      const p = `${path}.matchExpressions[${i}]`;
      if (!isRecord(raw)) {
        this.fail(p, 'must be an object');
        return;
      }
      const key = raw['key'];
      const operator = raw['operator'];
      const keyProblem = typeof key === 'string' ? qualifiedNameProblem(key) : 'must be a string';
      if (keyProblem !== undefined) this.fail(`${p}.key`, `invalid label key: ${keyProblem}`);
      if (typeof operator !== 'string' || !(OPERATORS as readonly string[]).includes(operator)) {
        this.fail(
          `${p}.operator`,
          `not a valid selector operator ${typeof operator === 'string' ? quoteShort(operator) : typeof operator} (In, NotIn, Exists, DoesNotExist)`,
        );
        return;
      }
      const values = this.list(raw['values'], `${p}.values`) ?? [];
      const strings: string[] = [];
      values.forEach((v, j) => {
        if (typeof v !== 'string') this.fail(`${p}.values[${j}]`, 'must be a string');
        else if (labelValueProblem(v) !== undefined)
          this.fail(`${p}.values[${j}]`, `invalid label value: ${labelValueProblem(v) ?? ''}`);
        else strings.push(v);
      });
      if ((operator === 'In' || operator === 'NotIn') && values.length === 0)
        this.fail(`${p}.values`, `must be specified when operator is ${operator}`);
      if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0)
        this.fail(`${p}.values`, `may not be specified when operator is ${operator}`);
      if (typeof key === 'string') {
        expressions.push(
          operator === 'In' || operator === 'NotIn'
            ? { key, operator, values: strings }
            : { key, operator: operator as SelectorOperator },
        );
      }
    });
    return {
      ...(matchLabels !== undefined ? { matchLabels } : {}),
      ...(value['matchExpressions'] !== undefined && value['matchExpressions'] !== null
        ? { matchExpressions: expressions }
        : {}),
    };
  }
  port(raw: unknown, path: string): NetworkPolicyPort | undefined {
    if (!isRecord(raw)) {
      this.fail(path, 'must be an object');
      return undefined;
    }
    const out: { protocol?: PolicyProtocol; port?: number | string; endPort?: number } = {};
    const protocol = raw['protocol'];
    if (protocol !== undefined && protocol !== null) {
      if (typeof protocol !== 'string' || !(PROTOCOLS as readonly string[]).includes(protocol)) {
        this.fail(`${path}.protocol`, `unsupported protocol ${describeShort(protocol)} (TCP, UDP, SCTP)`);
      } else out.protocol = protocol as PolicyProtocol;
    }
    const port = raw['port'];
    if (port !== undefined && port !== null) {
      if (typeof port === 'number') {
        if (!Number.isInteger(port) || port < 1 || port > 65535)
          this.fail(`${path}.port`, `must be between 1 and 65535, inclusive (got ${port})`);
        else out.port = port;
      } else if (typeof port === 'string') {
        const problem = portNameProblem(port);
        if (problem !== undefined)
          this.fail(`${path}.port`, `must be a port number or an IANA_SVC_NAME: ${problem}`);
        else out.port = port;
      } else this.fail(`${path}.port`, 'must be a number or a string');
    }
    const endPort = raw['endPort'];
    if (endPort !== undefined && endPort !== null) {
      if (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort < 1 || endPort > 65535) {
        this.fail(
          `${path}.endPort`,
          `must be between 1 and 65535, inclusive (got ${describeShort(endPort)})`,
        );
      } else if (typeof port !== 'number') {
        this.fail(`${path}.endPort`, 'may not be specified when port is absent or a named port');
      } else if (endPort < port) {
        this.fail(`${path}.endPort`, `must be greater than or equal to port (${endPort} < ${port})`);
      } else out.endPort = endPort;
    }
    return out;
  }
  ipBlock(raw: unknown, path: string): IPBlock | undefined {
    if (!isRecord(raw)) {
      this.fail(path, 'must be an object');
      return undefined;
    }
    const cidrText = raw['cidr'];
    if (typeof cidrText !== 'string' || cidrText === '') {
      this.fail(`${path}.cidr`, 'required');
      return undefined;
    }
    const cidr = parseCidr(cidrText);
    if (cidr === undefined) {
      this.fail(`${path}.cidr`, `invalid CIDR ${quoteShort(cidrText)}`);
      return undefined;
    }
    const except: string[] = [];
    (this.list(raw['except'], `${path}.except`) ?? []).forEach((e, i) => {
      const p = `${path}.except[${i}]`;
      const parsed = typeof e === 'string' ? parseCidr(e) : undefined;
      if (typeof e !== 'string' || parsed === undefined) {
        this.fail(p, `invalid CIDR ${describeShort(e)}`);
        return;
      }
      if (!cidrCovers(cidr, parsed) || parsed.prefixLength <= cidr.prefixLength) {
        this.fail(p, `must be a strict subset of cidr ${cidrText} (got ${e})`);
        return;
      }
      except.push(e);
    });
    return raw['except'] === undefined || raw['except'] === null
      ? { cidr: cidrText }
      : { cidr: cidrText, except };
  }
  peer(raw: unknown, path: string): NetworkPolicyPeer | undefined {
    if (!isRecord(raw)) {
      this.fail(path, 'must be an object');
      return undefined;
    }
    const present = (k: string) => raw[k] !== undefined && raw[k] !== null;
    const count = ['podSelector', 'namespaceSelector', 'ipBlock'].filter(present).length;
    if (count === 0) {
      this.fail(path, 'must specify a peer (podSelector, namespaceSelector or ipBlock)');
      return undefined;
    }
    if (present('ipBlock') && count > 1) {
      this.fail(path, 'may not specify both ipBlock and another peer');
      return undefined;
    }
    if (present('ipBlock')) {
      const block = this.ipBlock(raw['ipBlock'], `${path}.ipBlock`);
      return block === undefined ? undefined : { ipBlock: block };
    }
    const podSelector = present('podSelector')
      ? this.selector(raw['podSelector'], `${path}.podSelector`)
      : undefined;
    const namespaceSelector = present('namespaceSelector')
      ? this.selector(raw['namespaceSelector'], `${path}.namespaceSelector`)
      : undefined;
    return {
      ...(podSelector !== undefined ? { podSelector } : {}),
      ...(namespaceSelector !== undefined ? { namespaceSelector } : {}),
    };
  }
  rule(
    raw: unknown,
    path: string,
    peersKey: 'from' | 'to',
  ): { ports?: NetworkPolicyPort[]; peers?: NetworkPolicyPeer[] } | undefined {
    if (!isRecord(raw)) {
      this.fail(path, 'must be an object');
      return undefined;
    }
    const portsRaw = this.list(raw['ports'], `${path}.ports`);
    const peersRaw = this.list(raw[peersKey], `${path}.${peersKey}`);
    const ports = portsRaw
      ?.map((p, i) => this.port(p, `${path}.ports[${i}]`))
      .filter((p): p is NetworkPolicyPort => p !== undefined);
    const peers = peersRaw
      ?.map((p, i) => this.peer(p, `${path}.${peersKey}[${i}]`))
      .filter((p): p is NetworkPolicyPeer => p !== undefined);
    return { ...(ports !== undefined ? { ports } : {}), ...(peers !== undefined ? { peers } : {}) };
  }
}

/** Validates a NetworkPolicy's spec; `policy` is set only when there is no problem. */
export function validateNetworkPolicy(
  raw: Record<string, unknown>,
  name: string,
  namespace: string,
  labels: Record<string, string> | undefined,
  annotations: Record<string, string> | undefined,
): { policy?: NetworkPolicy; problems: FieldProblem[] } {
  const c = new Checker();
  const spec = raw['spec'];
  if (!isRecord(spec)) return { problems: [{ path: 'spec', message: 'required' }] };
  const podSelector =
    spec['podSelector'] === undefined || spec['podSelector'] === null
      ? {}
      : c.selector(spec['podSelector'], 'spec.podSelector');
  const types: PolicyType[] = [];
  const typesRaw = c.list(spec['policyTypes'], 'spec.policyTypes');
  if (typesRaw !== undefined && typesRaw.length > 2)
    c.fail('spec.policyTypes', `may not have more than 2 entries (got ${typesRaw.length})`);
  (typesRaw ?? []).forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress')
      c.fail(`spec.policyTypes[${i}]`, `unsupported value ${describeShort(t)} (Ingress, Egress)`);
    else types.push(t);
  });
  const ingress: NetworkPolicyIngressRule[] = [];
  (c.list(spec['ingress'], 'spec.ingress') ?? []).forEach((r, i) => {
    const rule = c.rule(r, `spec.ingress[${i}]`, 'from');
    if (rule !== undefined)
      ingress.push({
        ...(rule.ports ? { ports: rule.ports } : {}),
        ...(rule.peers ? { from: rule.peers } : {}),
      });
  });
  const egress: NetworkPolicyEgressRule[] = [];
  (c.list(spec['egress'], 'spec.egress') ?? []).forEach((r, i) => {
    const rule = c.rule(r, `spec.egress[${i}]`, 'to');
    if (rule !== undefined)
      egress.push({
        ...(rule.ports ? { ports: rule.ports } : {}),
        ...(rule.peers ? { to: rule.peers } : {}),
      });
  });
  if (c.problems.length > 0 || podSelector === undefined) return { problems: c.problems };
  const policy: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    spec: {
      podSelector,
      ...(typesRaw !== undefined ? { policyTypes: types } : {}),
      ...(spec['ingress'] !== undefined && spec['ingress'] !== null ? { ingress } : {}),
      ...(spec['egress'] !== undefined && spec['egress'] !== null ? { egress } : {}),
    },
  };
  return { policy, problems: [] };
}

/** A metav1.LabelSelector checked as the API server does (for other API groups' selectors). */
export function checkLabelSelector(
  value: unknown,
  path: string,
): { selector: LabelSelector | undefined; problems: readonly FieldProblem[] } {
  const c = new Checker();
  const selector = c.selector(value, path);
  return { selector: c.problems.length === 0 ? selector : undefined, problems: c.problems };
}
