// Calico projectcalico.org/v3 (and the crd.projectcalico.org/v1 storage form) NetworkPolicy,
// GlobalNetworkPolicy, their Staged variants, StagedKubernetesNetworkPolicy and Tier (untrusted
// JSON) → plain data. Selectors are parsed here so a bad one is a problem naming its field.
// Valid Calico the engine does not model (host-endpoint-only policies: doNotTrack, preDNAT,
// applyOnForward; source ports; service-account label selectors; ICMP matches on a replay that
// has no ICMP) makes the object ignored, with the reason.
import type {
  CalicoAction,
  CalicoEntity,
  CalicoKind,
  CalicoPolicy,
  CalicoPortRange,
  CalicoRule,
  CalicoTier,
  IgnoredObject,
} from '../cni-objects.js';
import { isRecord } from '../../lib/is-record.js';
import { type FieldProblem } from '../validate-policy.js';
import { parseCalicoSelector } from './selector.js';

export interface CalicoParse {
  readonly policy: CalicoPolicy | undefined;
  readonly problems: readonly FieldProblem[];
  readonly ignored: IgnoredObject | undefined;
}

const PROTOCOLS: Readonly<Record<string, number>> = {
  TCP: 6,
  UDP: 17,
  ICMP: 1,
  ICMPv6: 58,
  SCTP: 132,
  UDPLite: 136,
};
const ACTIONS = new Set<string>(['Allow', 'Deny', 'Pass', 'Log']);
const MAX_ITEMS = 1000;

export function protocolNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 255) return value;
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return protocolNumber(Number(value));
    return PROTOCOLS[value];
  }
  return undefined;
}

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

  selector(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.fail(path, 'must be a selector expression (string)');
      return undefined;
    }
    const parsed = parseCalicoSelector(value);
    if (!parsed.ok) {
      this.fail(path, `invalid selector: ${parsed.error}`);
      return undefined;
    }
    return value;
  }

  strings(value: unknown, path: string): string[] | undefined {
    const list = this.list(value, path);
    if (list === undefined) return undefined;
    return list.flatMap((item, i) => {
      if (typeof item === 'string') return [item];
      this.fail(`${path}[${i}]`, 'must be a string');
      return [];
    });
  }

  ports(value: unknown, path: string): CalicoPortRange[] | undefined {
    const list = this.list(value, path);
    if (list === undefined) return undefined;
    const out: CalicoPortRange[] = [];
    list.forEach((raw, i) => {
      const p = `${path}[${i}]`;
      if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= 65535) {
        out.push({ from: raw, to: raw });
        return;
      }
      if (typeof raw === 'string') {
        const range = /^(\d+):(\d+)$/.exec(raw);
        if (range !== null) {
          const from = Number(range[1]);
          const to = Number(range[2]);
          if (from <= to && to <= 65535) {
            out.push({ from, to });
            return;
          }
        } else if (/^\d+$/.test(raw) && Number(raw) <= 65535) {
          out.push({ from: Number(raw), to: Number(raw) });
          return;
        } else if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(raw) && raw.length <= 15) {
          out.push({ from: 0, to: -1, name: raw });
          return;
        }
      }
      this.fail(p, 'must be a port number, "from:to" range or a port name');
    });
    return out;
  }

  entity(value: unknown, path: string): CalicoEntity {
    if (value === undefined || value === null) return {};
    if (!isRecord(value)) {
      this.fail(path, 'must be an object');
      return {};
    }
    const out: Record<string, unknown> = {};
    for (const field of ['nets', 'notNets'] as const) {
      const nets = this.strings(value[field], `${path}.${field}`);
      if (nets !== undefined) out[field] = nets;
    }
    for (const field of ['selector', 'notSelector', 'namespaceSelector'] as const) {
      const selector = this.selector(value[field], `${path}.${field}`);
      if (selector !== undefined) out[field] = selector;
    }
    for (const field of ['ports', 'notPorts'] as const) {
      const ports = this.ports(value[field], `${path}.${field}`);
      if (ports !== undefined) out[field] = ports;
    }
    const accounts = value['serviceAccounts'];
    if (isRecord(accounts)) {
      if (
        accounts['selector'] !== undefined &&
        accounts['selector'] !== '' &&
        accounts['selector'] !== 'all()'
      )
        this.unsupported(
          `${path}.serviceAccounts.selector`,
          'service-account labels are not in the snapshot',
        );
      const names = this.strings(accounts['names'], `${path}.serviceAccounts.names`);
      if (names !== undefined) out['serviceAccountNames'] = names;
    }
    const service = value['services'];
    if (isRecord(service)) {
      if (typeof service['name'] !== 'string') this.fail(`${path}.services.name`, 'required');
      else
        out['service'] = {
          name: service['name'],
          namespace: typeof service['namespace'] === 'string' ? service['namespace'] : '',
        };
    }
    return out;
  }

  rule(raw: unknown, path: string): CalicoRule | undefined {
    if (!isRecord(raw)) {
      this.fail(path, 'must be an object');
      return undefined;
    }
    const action = raw['action'];
    if (typeof action !== 'string' || !ACTIONS.has(action)) {
      this.fail(`${path}.action`, 'must be Allow, Deny, Pass or Log');
      return undefined;
    }
    const protocol = raw['protocol'] === undefined ? undefined : protocolNumber(raw['protocol']);
    if (raw['protocol'] !== undefined && protocol === undefined)
      this.fail(`${path}.protocol`, `unknown protocol ${JSON.stringify(raw['protocol'])}`);
    const notProtocol = raw['notProtocol'] === undefined ? undefined : protocolNumber(raw['notProtocol']);
    if (raw['notProtocol'] !== undefined && notProtocol === undefined)
      this.fail(`${path}.notProtocol`, `unknown protocol ${JSON.stringify(raw['notProtocol'])}`);
    const ipVersion = raw['ipVersion'];
    if (ipVersion !== undefined && ipVersion !== 4 && ipVersion !== 6)
      this.fail(`${path}.ipVersion`, 'must be 4 or 6');
    if (raw['icmp'] !== undefined || raw['notICMP'] !== undefined)
      this.unsupported(`${path}.icmp`, 'ICMP type matches are not replayed');
    const source = this.entity(raw['source'], `${path}.source`);
    const destination = this.entity(raw['destination'], `${path}.destination`);
    if (source.ports !== undefined || source.notPorts !== undefined)
      this.unsupported(`${path}.source.ports`, 'source ports are not recorded on observed flows');
    const hasPorts = [source.ports, source.notPorts, destination.ports, destination.notPorts].some(
      (p) => p !== undefined && p.length > 0,
    );
    if (hasPorts && protocol !== 6 && protocol !== 17 && protocol !== 132 && protocol !== 136)
      this.fail(`${path}.protocol`, 'ports need protocol TCP, UDP, SCTP or UDPLite');
    return {
      action: action as CalicoAction,
      source,
      destination,
      l7: raw['http'] !== undefined,
      ...(protocol !== undefined ? { protocol } : {}),
      ...(notProtocol !== undefined ? { notProtocol } : {}),
      ...(ipVersion === 4 || ipVersion === 6 ? { ipVersion } : {}),
    };
  }
}

export function parseCalicoPolicy(
  object: Record<string, unknown>,
  kind: CalicoKind,
  name: string,
  namespace: string | undefined,
): CalicoParse {
  const reader = new Reader();
  const spec = isRecord(object['spec']) ? object['spec'] : {};
  const selector = reader.selector(spec['selector'], 'spec.selector') ?? '';
  const namespaceSelector = reader.selector(spec['namespaceSelector'], 'spec.namespaceSelector');
  const serviceAccountSelector = reader.selector(
    spec['serviceAccountSelector'],
    'spec.serviceAccountSelector',
  );
  const order = spec['order'];
  if (order !== undefined && order !== null && (typeof order !== 'number' || !Number.isFinite(order)))
    reader.fail('spec.order', 'must be a number');
  const tier = spec['tier'] ?? 'default';
  if (typeof tier !== 'string' || tier === '') reader.fail('spec.tier', 'must be a tier name');
  const ingress = (reader.list(spec['ingress'], 'spec.ingress') ?? [])
    .map((r, i) => reader.rule(r, `spec.ingress[${i}]`))
    .filter((r): r is CalicoRule => r !== undefined);
  const egress = (reader.list(spec['egress'], 'spec.egress') ?? [])
    .map((r, i) => reader.rule(r, `spec.egress[${i}]`))
    .filter((r): r is CalicoRule => r !== undefined);
  let types: ('Ingress' | 'Egress')[];
  const rawTypes = reader.strings(spec['types'], 'spec.types');
  if (rawTypes !== undefined && rawTypes.length > 0) {
    types = [];
    for (const [i, t] of rawTypes.entries()) {
      if (t === 'Ingress' || t === 'Egress') types.push(t);
      else reader.fail(`spec.types[${i}]`, 'must be Ingress or Egress');
    }
  } else {
    // Calico's default: Ingress, plus Egress when egress rules are present (Egress alone when
    // there are egress rules and no ingress rules).
    types = egress.length === 0 ? ['Ingress'] : ingress.length === 0 ? ['Egress'] : ['Ingress', 'Egress'];
  }
  for (const flag of ['doNotTrack', 'preDNAT', 'applyOnForward'] as const) {
    if (spec[flag] === true)
      reader.unsupported(`spec.${flag}`, 'applies to host endpoints, which are not modelled');
  }
  if (
    serviceAccountSelector !== undefined &&
    serviceAccountSelector.trim() !== '' &&
    serviceAccountSelector.trim() !== 'all()'
  ) {
    reader.unsupported('spec.serviceAccountSelector', 'service-account labels are not in the snapshot');
  }
  const staged = kind.startsWith('Staged');
  const stagedAction = spec['stagedAction'] ?? 'Set';
  if (staged && stagedAction !== 'Set' && stagedAction !== 'Delete')
    reader.fail('spec.stagedAction', 'must be Set or Delete');
  if (reader.problems.length > 0) return { policy: undefined, problems: reader.problems, ignored: undefined };
  if (reader.unmodelled !== undefined) {
    const hostOnly = spec['doNotTrack'] === true || spec['preDNAT'] === true;
    return {
      policy: undefined,
      problems: [],
      ignored: {
        kind,
        namespace,
        name,
        reason: reader.unmodelled,
        appliesTo: hostOnly ? { kind: 'none' } : { kind: 'calico', selector },
      },
    };
  }
  return {
    policy: {
      kind,
      namespace,
      name,
      tier: tier as string,
      order: typeof order === 'number' ? order : undefined,
      selector,
      namespaceSelector,
      serviceAccountSelector,
      types,
      ingress,
      egress,
      ...(staged ? { stagedAction: stagedAction as 'Set' | 'Delete' } : {}),
    },
    problems: [],
    ignored: undefined,
  };
}

export function parseCalicoTier(
  object: Record<string, unknown>,
  name: string,
): { tier: CalicoTier | undefined; problems: FieldProblem[] } {
  const spec = isRecord(object['spec']) ? object['spec'] : {};
  const problems: FieldProblem[] = [];
  const order = spec['order'];
  if (order !== undefined && order !== null && (typeof order !== 'number' || !Number.isFinite(order)))
    problems.push({ path: 'spec.order', message: 'must be a number' });
  const defaultAction = spec['defaultAction'] ?? 'Deny';
  if (defaultAction !== 'Deny' && defaultAction !== 'Pass')
    problems.push({ path: 'spec.defaultAction', message: 'must be Deny or Pass' });
  if (problems.length > 0) return { tier: undefined, problems };
  return {
    tier: {
      name,
      order: typeof order === 'number' ? order : undefined,
      defaultAction: defaultAction as 'Deny' | 'Pass',
    },
    problems,
  };
}
