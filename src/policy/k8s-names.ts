// Kubernetes' syntax rules for object names, namespaces and labels, as the API server applies them
// (k8s.io/apimachinery/pkg/util/validation: IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label,
// IsQualifiedName, IsValidLabelValue; IsValidPortName for IANA_SVC_NAME). Each check returns the
// reason a value is refused, or undefined; callers prefix the field path. Everything from the
// cluster or a request is untrusted, so a refused value is quoted short in messages.

/** RFC 1123 label: namespaces, and the name part of most DNS-ish fields. */
export const DNS1123_LABEL_MAX = 63;
/** RFC 1123 subdomain: most object names (pods, NetworkPolicies, nodes…), label key prefixes. */
export const DNS1123_SUBDOMAIN_MAX = 253;
/** Label key name part and label values. */
export const QUALIFIED_NAME_MAX = 63;
export const LABEL_VALUE_MAX = 63;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[-a-z0-9]+$/;

/** A value for a message: JSON-quoted, at most ~64 characters of it. */
export function quoteShort(value: string): string {
  return value.length <= 64
    ? JSON.stringify(value)
    : `${JSON.stringify(value.slice(0, 64))}… (${value.length} characters)`;
}

/** Any untrusted value for a message, bounded the same way. */
export function describeShort(value: unknown): string {
  if (typeof value === 'string') return quoteShort(value);
  const json = (JSON.stringify(value) as string | undefined) ?? String(value); // undefined for undefined and functions
  return json.length <= 64 ? json : `${json.slice(0, 64)}…`;
}

export function dns1123LabelProblem(value: string): string | undefined {
  if (value.length > DNS1123_LABEL_MAX)
    return `must be no more than ${DNS1123_LABEL_MAX} characters (got ${value.length})`;
  if (!DNS1123_LABEL.test(value))
    return `${quoteShort(value)} is not a DNS-1123 label: lower case alphanumeric characters or '-', starting and ending with an alphanumeric character`;
  return undefined;
}

export function dns1123SubdomainProblem(value: string): string | undefined {
  if (value.length > DNS1123_SUBDOMAIN_MAX)
    return `must be no more than ${DNS1123_SUBDOMAIN_MAX} characters (got ${value.length})`;
  if (!DNS1123_SUBDOMAIN.test(value))
    return `${quoteShort(value)} is not a DNS-1123 subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character`;
  return undefined;
}

export function dns1035LabelProblem(value: string): string | undefined {
  if (value.length > DNS1123_LABEL_MAX)
    return `must be no more than ${DNS1123_LABEL_MAX} characters (got ${value.length})`;
  if (!DNS1035_LABEL.test(value))
    return `${quoteShort(value)} is not a DNS-1035 label: lower case alphanumeric characters or '-', starting with a letter and ending with an alphanumeric character`;
  return undefined;
}

/** A label key (and an annotation key): `[prefix/]name`, prefix a DNS-1123 subdomain. */
export function qualifiedNameProblem(value: string): string | undefined {
  const parts = value.split('/');
  if (parts.length > 2)
    return `${quoteShort(value)} is not a qualified name: at most one '/' ([prefix/]name)`;
  const name = parts.length === 2 ? (parts[1] ?? '') : value;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix.length === 0) return `${quoteShort(value)}: the prefix before '/' must be non-empty`;
    const problem = dns1123SubdomainProblem(prefix);
    if (problem !== undefined) return `prefix part: ${problem}`;
  }
  if (name.length === 0) return `${quoteShort(value)}: the name part must be non-empty`;
  if (name.length > QUALIFIED_NAME_MAX)
    return `name part must be no more than ${QUALIFIED_NAME_MAX} characters (got ${name.length})`;
  if (!QUALIFIED_NAME.test(name))
    return `${quoteShort(value)} is not a qualified name: alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`;
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > LABEL_VALUE_MAX)
    return `must be no more than ${LABEL_VALUE_MAX} characters (got ${value.length})`;
  if (value !== '' && !QUALIFIED_NAME.test(value))
    return `${quoteShort(value)} is not a valid label value: empty, or alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`;
  return undefined;
}

/** A named port (IANA_SVC_NAME): 1-15 characters of a-z, 0-9 and '-', at least one letter, no '--', no '-' at either end. */
export function portNameProblem(value: string): string | undefined {
  if (value.length < 1 || value.length > 15)
    return `${quoteShort(value)} is not a port name: must be 1 to 15 characters`;
  if (!IANA_SVC_NAME.test(value))
    return `${quoteShort(value)} is not a port name: lower case alphanumeric characters or '-' only`;
  if (!/[a-z]/.test(value))
    return `${quoteShort(value)} is not a port name: must contain at least one letter`;
  if (value.includes('--'))
    return `${quoteShort(value)} is not a port name: must not contain consecutive hyphens`;
  if (value.startsWith('-') || value.endsWith('-'))
    return `${quoteShort(value)} is not a port name: must not begin or end with a hyphen`;
  return undefined;
}

export function isDns1123Label(value: string): boolean {
  return dns1123LabelProblem(value) === undefined;
}

export function isDns1123Subdomain(value: string): boolean {
  return dns1123SubdomainProblem(value) === undefined;
}

export function isLabelKey(key: string): boolean {
  return qualifiedNameProblem(key) === undefined;
}

export function isLabelValue(value: string): boolean {
  return labelValueProblem(value) === undefined;
}

export function isServicePortName(name: string): boolean {
  return portNameProblem(name) === undefined;
}

/** Problems of a label map, one per bad key or value, as `path: reason` pairs. */
export function labelsProblems(
  labels: Readonly<Record<string, string>>,
  path: string,
): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem !== undefined) out.push({ path, message: `invalid label key: ${keyProblem}` });
    const valueProblem = labelValueProblem(value);
    if (valueProblem !== undefined)
      out.push({ path: `${path}[${quoteShort(key)}]`, message: `invalid label value: ${valueProblem}` });
  }
  return out;
}

/** metadata.labels (untrusted JSON) as a string map, or the problems that make Kubernetes refuse it. */
export function checkedLabels(value: unknown): {
  labels?: Record<string, string>;
  problems: { path: string; message: string }[];
} {
  if (value === undefined || value === null) return { labels: {}, problems: [] };
  if (typeof value !== 'object' || Array.isArray(value))
    return { problems: [{ path: 'metadata.labels', message: 'must be a map of strings' }] };
  const problems: { path: string; message: string }[] = [];
  const labels: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') labels[key] = v;
    else problems.push({ path: `metadata.labels[${quoteShort(key)}]`, message: 'must be a string' });
  }
  problems.push(...labelsProblems(labels, 'metadata.labels'));
  return problems.length > 0 ? { problems } : { labels, problems };
}

/** The name rule each kind's metadata.name follows on the API server. */
export type NameRule = 'dns1123-label' | 'dns1123-subdomain' | 'dns1035-label';

export const NAME_RULES: Readonly<Record<string, NameRule>> = {
  Namespace: 'dns1123-label',
  Service: 'dns1035-label',
  NetworkPolicy: 'dns1123-subdomain',
  Pod: 'dns1123-subdomain',
  Node: 'dns1123-subdomain',
  ReplicaSet: 'dns1123-subdomain',
  Job: 'dns1123-subdomain',
};

export function nameProblem(rule: NameRule, value: string): string | undefined {
  switch (rule) {
    case 'dns1123-label':
      return dns1123LabelProblem(value);
    case 'dns1123-subdomain':
      return dns1123SubdomainProblem(value);
    case 'dns1035-label':
      return dns1035LabelProblem(value);
  }
}
