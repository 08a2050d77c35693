// CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io/v2, untrusted JSON) → CiliumPolicy
// data, one per rule (`spec`, or each of `specs`). Malformed fields are problems naming the field
// (the object is left out, like an invalid NetworkPolicy); fields that are valid Cilium but that
// the engine does not model (fromRequires, toGroups, fromNodes/toNodes, ICMP rules,
// authentication, CIDR group references) make the whole object *ignored*, with the reason:
// evaluating the rest would give a verdict Cilium would not. A clusterwide rule with
// `nodeSelector` is a host policy: it selects the host endpoints of the matching nodes.
import type {
  CiliumCidr,
  CiliumFqdn,
  CiliumPolicy,
  CiliumPort,
  CiliumPortRule,
  CiliumRule,
  CiliumSelector,
  CiliumServiceRef,
  IgnoredObject,
} from '../cni-objects.js';
import type { LabelSelectorRequirement } from '../model.js';
import { isRecord } from '../../lib/is-record.js';
import { type FieldProblem } from '../validate-policy.js';

export interface CiliumParse {
  readonly policies: readonly CiliumPolicy[];
  readonly problems: readonly FieldProblem[];
  readonly ignored: IgnoredObject | undefined;
}

const ENTITIES = new Set([
  'all',
  'world',
  'world-ipv4',
  'world-ipv6',
  'cluster',
  'host',
  'remote-node',
  'kube-apiserver',
  'init',
  'health',
  'unmanaged',
  'ingress',
  'none',
]);
const UNMODELLED_RULE_FIELDS = [
  'fromRequires',
  'toRequires',
  'toGroups',
  'fromNodes',
  'toNodes',
  'icmps',
  'authentication',
  'fromGroups',
];
const MAX_ITEMS = 1000;

class Reader {
  readonly problems: FieldProblem[] = [];
  unmodelled: string | undefined;
  fail(path: string, message: string): void {
    this.problems.push({ path, message });
  }
  unsupported(path: string, why: string): void {
    this.unmodelled ??= `${path}: ${why}`;
  }

  list(value: unknown, path: string): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.fail(path, 'must be a list');
      return undefined;
    }
    if (value.length > MAX_ITEMS) {
      this.fail(path, `more than ${MAX_ITEMS} items`);
      return undefined;
    }
    return value as unknown[];
  }

  strings(value: unknown, path: string): string[] | undefined {
    const list = this.list(value, path);
    if (list === undefined) return undefined;
    const out: string[] = [];
    list.forEach((item, i) => {
      if (typeof item === 'string') out.push(item);
      else this.fail(`${path}[${i}]`, 'must be a string');
    });
    return out;
  }

  selector(value: unknown, path: string): CiliumSelector | undefined {
    if (!isRecord(value)) {
      this.fail(path, 'must be a label selector object');
      return undefined;
    }
    const out: { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] } = {};
    if (value['matchLabels'] !== undefined && value['matchLabels'] !== null) {
      if (!isRecord(value['matchLabels'])) {
        this.fail(`${path}.matchLabels`, 'must be a map of strings');
        return undefined;
      }
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(value['matchLabels'])) {
        if (typeof v !== 'string') {
          this.fail(`${path}.matchLabels.${k}`, 'must be a string');
          return undefined;
        }
        labels[k] = v;
      }
      out.matchLabels = labels;
    }
    const expressions = this.list(value['matchExpressions'], `${path}.matchExpressions`);
    if (expressions !== undefined) {
      const parsed: LabelSelectorRequirement[] = [];
      for (const [i, raw] of expressions.entries()) {
        const p = `${path}.matchExpressions[${i}]`;
        if (!isRecord(raw) || typeof raw['key'] !== 'string') {
          this.fail(`${p}.key`, 'required');
          return undefined;
        }
        const operator = raw['operator'];
        if (
          operator !== 'In' &&
          operator !== 'NotIn' &&
          operator !== 'Exists' &&
          operator !== 'DoesNotExist'
        ) {
          this.fail(`${p}.operator`, `unsupported operator ${JSON.stringify(operator)}`);
          return undefined;
        }
        const values = this.strings(raw['values'], `${p}.values`) ?? [];
        if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
          this.fail(`${p}.values`, `must be non-empty for ${operator}`);
          return undefined;
        }
        parsed.push({ key: raw['key'], operator, values });
      }
      out.matchExpressions = parsed;
    }
    return out;
  }

  port(raw: unknown, path: string): CiliumPort | undefined {
    if (!isRecord(raw)) {
      this.fail(path, 'must be an object');
      return undefined;
    }
    const portValue = raw['port'];
    const port = typeof portValue === 'number' ? String(portValue) : (portValue ?? '0');
    if (typeof port !== 'string' || port === '') {
      this.fail(`${path}.port`, 'must be a port number or name');
      return undefined;
    }
    if (/^\d+$/.test(port) && Number(port) > 65535) {
      this.fail(`${path}.port`, 'must be between 0 and 65535');
      return undefined;
    }
    const protocol = raw['protocol'] ?? 'ANY';
    if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP' && protocol !== 'ANY') {
      if (protocol === 'ICMP' || protocol === 'ICMPv6') {
        this.unsupported(`${path}.protocol`, `${protocol} ports are not replayed`);
        return undefined;
      }
      this.fail(`${path}.protocol`, `unsupported protocol ${JSON.stringify(protocol)}`);
      return undefined;
    }
    const endPort = raw['endPort'];
    if (
      endPort !== undefined &&
      (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort < Number(port) || endPort > 65535)
    ) {
      this.fail(`${path}.endPort`, 'must be an integer port not below port');
      return undefined;
    }
    return { port, protocol, ...(typeof endPort === 'number' ? { endPort } : {}) };
  }

  portRules(value: unknown, path: string): CiliumPortRule[] | undefined {
    const list = this.list(value, path);
    if (list === undefined) return undefined;
    const out: CiliumPortRule[] = [];
    for (const [i, raw] of list.entries()) {
      const p = `${path}[${i}]`;
      if (!isRecord(raw)) {
        this.fail(p, 'must be an object');
        continue;
      }
      const ports: CiliumPort[] = [];
      for (const [j, port] of (this.list(raw['ports'], `${p}.ports`) ?? []).entries()) {
        const parsed = this.port(port, `${p}.ports[${j}]`);
        if (parsed !== undefined) ports.push(parsed);
      }
      const rules = raw['rules'];
      const l7 = isRecord(rules)
        ? Object.keys(rules).filter((k) => rules[k] !== undefined && rules[k] !== null)
        : [];
      if (
        raw['serverNames'] !== undefined ||
        raw['listener'] !== undefined ||
        raw['terminatingTLS'] !== undefined ||
        raw['originatingTLS'] !== undefined
      )
        l7.push('tls');
      out.push({ ports, l7 });
    }
    return out;
  }

  cidrs(rule: Record<string, unknown>, plain: string, set: string, path: string): CiliumCidr[] | undefined {
    const out: CiliumCidr[] = [];
    for (const cidr of this.strings(rule[plain], `${path}.${plain}`) ?? []) out.push({ cidr, except: [] });
    for (const [i, raw] of (this.list(rule[set], `${path}.${set}`) ?? []).entries()) {
      const p = `${path}.${set}[${i}]`;
      if (!isRecord(raw)) {
        this.fail(p, 'must be an object');
        continue;
      }
      if (raw['cidrGroupRef'] !== undefined || raw['cidrGroupSelector'] !== undefined) {
        this.unsupported(p, 'CiliumCIDRGroup references are not in the snapshot');
        continue;
      }
      if (typeof raw['cidr'] !== 'string') {
        this.fail(`${p}.cidr`, 'required');
        continue;
      }
      out.push({ cidr: raw['cidr'], except: this.strings(raw['except'], `${p}.except`) ?? [] });
    }
    return rule[plain] === undefined && rule[set] === undefined ? undefined : out;
  }

  rule(raw: unknown, path: string, direction: 'ingress' | 'egress', deny: boolean): CiliumRule | undefined {
    if (!isRecord(raw)) {
      this.fail(path, 'must be an object');
      return undefined;
    }
    for (const field of UNMODELLED_RULE_FIELDS)
      if (raw[field] !== undefined)
        this.unsupported(
          `${path}.${field}`,
          field === 'fromNodes' || field === 'toNodes'
            ? 'not modelled (node peers take effect only with the agent option enable-node-selector-labels, which the snapshot cannot show)'
            : 'not modelled',
        );
    const from = direction === 'ingress' ? 'from' : 'to';
    const endpoints = this.list(raw[`${from}Endpoints`], `${path}.${from}Endpoints`)
      ?.map((s, i) => this.selector(s, `${path}.${from}Endpoints[${i}]`))
      .filter((s): s is CiliumSelector => s !== undefined);
    const entities = this.strings(raw[`${from}Entities`], `${path}.${from}Entities`);
    entities?.forEach((e, i) => {
      if (!ENTITIES.has(e)) this.fail(`${path}.${from}Entities[${i}]`, `unknown entity ${JSON.stringify(e)}`);
    });
    const cidrs = this.cidrs(raw, `${from}CIDR`, `${from}CIDRSet`, path);
    let services: CiliumServiceRef[] | undefined;
    let fqdns: CiliumFqdn[] | undefined;
    if (direction === 'egress') {
      services = this.list(raw['toServices'], `${path}.toServices`)?.flatMap((s, i): CiliumServiceRef[] => {
        const p = `${path}.toServices[${i}]`;
        if (!isRecord(s)) {
          this.fail(p, 'must be an object');
          return [];
        }
        const byName = s['k8sService'];
        const bySelector = s['k8sServiceSelector'];
        if (isRecord(byName) && typeof byName['serviceName'] === 'string') {
          return [
            {
              name: byName['serviceName'],
              ...(typeof byName['namespace'] === 'string' ? { namespace: byName['namespace'] } : {}),
            },
          ];
        }
        if (isRecord(bySelector)) {
          const selector = this.selector(bySelector['selector'] ?? {}, `${p}.k8sServiceSelector.selector`);
          return selector === undefined
            ? []
            : [
                {
                  selector,
                  ...(typeof bySelector['namespace'] === 'string'
                    ? { namespace: bySelector['namespace'] }
                    : {}),
                },
              ];
        }
        this.fail(p, 'needs k8sService.serviceName or k8sServiceSelector');
        return [];
      });
      fqdns = this.list(raw['toFQDNs'], `${path}.toFQDNs`)?.flatMap((f, i): CiliumFqdn[] => {
        const p = `${path}.toFQDNs[${i}]`;
        if (!isRecord(f)) {
          this.fail(p, 'must be an object');
          return [];
        }
        const matchName = typeof f['matchName'] === 'string' ? f['matchName'] : undefined;
        const matchPattern = typeof f['matchPattern'] === 'string' ? f['matchPattern'] : undefined;
        if (matchName === undefined && matchPattern === undefined) {
          this.fail(p, 'needs matchName or matchPattern');
          return [];
        }
        return [
          {
            ...(matchName !== undefined ? { matchName } : {}),
            ...(matchPattern !== undefined ? { matchPattern } : {}),
          },
        ];
      });
      if (deny && (services !== undefined || fqdns !== undefined))
        this.fail(path, 'toServices/toFQDNs are not allowed in egressDeny');
    }
    const toPorts = this.portRules(raw['toPorts'], `${path}.toPorts`);
    if (deny && toPorts?.some((p) => p.l7.length > 0))
      this.fail(`${path}.toPorts`, 'L7 rules are not allowed in deny rules');
    return {
      ...(endpoints !== undefined ? { endpoints } : {}),
      ...(entities !== undefined ? { entities } : {}),
      ...(cidrs !== undefined ? { cidrs } : {}),
      ...(services !== undefined ? { services } : {}),
      ...(fqdns !== undefined ? { fqdns } : {}),
      ...(toPorts !== undefined ? { toPorts } : {}),
    };
  }

  rules(
    spec: Record<string, unknown>,
    field: 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny',
    path: string,
  ): CiliumRule[] | undefined {
    const list = this.list(spec[field], `${path}.${field}`);
    if (list === undefined) return undefined;
    const direction = field.startsWith('ingress') ? 'ingress' : 'egress';
    return list
      .map((r, i) => this.rule(r, `${path}.${field}[${i}]`, direction, field.endsWith('Deny')))
      .filter((r): r is CiliumRule => r !== undefined);
  }
}

function ignoredOf(
  kind: CiliumPolicy['kind'],
  namespace: string | undefined,
  name: string,
  reason: string,
  selector: CiliumSelector | undefined,
): IgnoredObject {
  return {
    kind,
    namespace,
    name,
    reason,
    appliesTo: selector === undefined ? { kind: 'unknown' } : { kind: 'cilium', selector },
  };
}

export function parseCiliumPolicy(
  object: Record<string, unknown>,
  kind: CiliumPolicy['kind'],
  name: string,
  namespace: string | undefined,
): CiliumParse {
  const reader = new Reader();
  const specs: { spec: Record<string, unknown>; path: string; index: number | undefined }[] = [];
  if (isRecord(object['spec'])) specs.push({ spec: object['spec'], path: 'spec', index: undefined });
  const many = reader.list(object['specs'], 'specs') ?? [];
  many.forEach((spec, i) => {
    if (isRecord(spec)) specs.push({ spec, path: `specs[${i}]`, index: i });
    else reader.fail(`specs[${i}]`, 'must be an object');
  });
  if (specs.length === 0 && reader.problems.length === 0) reader.fail('spec', 'required (spec or specs)');
  const policies: CiliumPolicy[] = [];
  let firstSelector: CiliumSelector | undefined;
  for (const { spec, path, index } of specs) {
    const selected = subjectOf(reader, spec, path, kind);
    if (selected === undefined) continue;
    firstSelector ??= selected.endpointSelector;
    const enable = isRecord(spec['enableDefaultDeny']) ? spec['enableDefaultDeny'] : {};
    const enableDefaultDeny = {
      ...(typeof enable['ingress'] === 'boolean' ? { ingress: enable['ingress'] } : {}),
      ...(typeof enable['egress'] === 'boolean' ? { egress: enable['egress'] } : {}),
    };
    const policy: CiliumPolicy = {
      kind,
      namespace,
      name,
      specIndex: index,
      ...selected,
      enableDefaultDeny,
      ingress: reader.rules(spec, 'ingress', path),
      ingressDeny: reader.rules(spec, 'ingressDeny', path),
      egress: reader.rules(spec, 'egress', path),
      egressDeny: reader.rules(spec, 'egressDeny', path),
    };
    if (selected.nodeSelector !== undefined) checkHostRules(reader, policy, path);
    policies.push(policy);
  }
  if (reader.problems.length > 0) return { policies: [], problems: reader.problems, ignored: undefined };
  if (reader.unmodelled !== undefined) {
    const hostOnly = policies.length > 0 && policies.every((p) => p.nodeSelector !== undefined);
    // Several host rules: assume every node (the engine then says which paths it cannot decide).
    const nodes = policies.length === 1 ? (policies[0]?.nodeSelector ?? {}) : {};
    const ignored = hostOnly
      ? {
          kind,
          namespace,
          name,
          reason: reader.unmodelled,
          appliesTo: { kind: 'cilium-nodes', selector: nodes } as const,
        }
      : ignoredOf(kind, namespace, name, reader.unmodelled, specs.length === 1 ? firstSelector : undefined);
    return { policies: [], problems: [], ignored };
  }
  return { policies, problems: [], ignored: undefined };
}

/** What a rule selects: its endpointSelector, or (a host policy) its nodeSelector. */
function subjectOf(
  reader: Reader,
  spec: Record<string, unknown>,
  path: string,
  kind: CiliumPolicy['kind'],
): { endpointSelector: CiliumSelector; nodeSelector?: CiliumSelector } | undefined {
  const hasEndpoints = spec['endpointSelector'] !== undefined && spec['endpointSelector'] !== null;
  const hasNodes = spec['nodeSelector'] !== undefined && spec['nodeSelector'] !== null;
  if (hasEndpoints && hasNodes) {
    reader.fail(path, 'a rule cannot have both endpointSelector and nodeSelector');
    return undefined;
  }
  if (hasNodes) {
    // Upstream (CiliumNetworkPolicy.Parse): "rule cannot have NodeSelector" in a namespaced policy.
    if (kind === 'CiliumNetworkPolicy') {
      reader.fail(`${path}.nodeSelector`, 'only a CiliumClusterwideNetworkPolicy may select nodes');
      return undefined;
    }
    const nodeSelector = reader.selector(spec['nodeSelector'], `${path}.nodeSelector`);
    return nodeSelector === undefined ? undefined : { endpointSelector: HOST_ONLY, nodeSelector };
  }
  if (!hasEndpoints) {
    reader.fail(`${path}.endpointSelector`, 'required (or nodeSelector)');
    return undefined;
  }
  const endpointSelector = reader.selector(spec['endpointSelector'], `${path}.endpointSelector`);
  return endpointSelector === undefined ? undefined : { endpointSelector };
}

/** The host endpoint's reserved label: what a host policy's endpoint side selects (never a pod). */
const HOST_ONLY: CiliumSelector = Object.freeze({ matchLabels: Object.freeze({ 'reserved:host': '' }) });

/** Upstream (Rule.Sanitize): host policies reject L7 rules other than DNS. */
function checkHostRules(reader: Reader, policy: CiliumPolicy, path: string): void {
  for (const section of ['ingress', 'egress'] as const) {
    policy[section]?.forEach((rule, i) => {
      const l7 = (rule.toPorts ?? []).flatMap((p) => p.l7).filter((k) => k !== 'dns');
      if (l7.length > 0)
        reader.fail(
          `${path}.${section}[${i}].toPorts`,
          `host policies do not support L7 rules (${[...new Set(l7)].join(', ')}); Cilium rejects the policy`,
        );
    });
  }
}
