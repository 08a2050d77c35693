// Loads the configuration once: defaults < YAML file < environment < command-line flags, checked
// against the one schema, every problem listed with its path, then deeply frozen.
//
// Environment (documented in README.md):
//   NETPOL_ADVISOR_CONFIG            the YAML file (--config wins)
//   NETPOL_ADVISOR_LISTEN            listen address (--listen wins)
//   NETPOL_ADVISOR_DB                database file (--db wins)
//   NETPOL_ADVISOR_LOG_LEVEL         fatal|error|warn|info|debug|trace|silent
//   NETPOL_ADVISOR_AUTH_MODE         none|token|kubernetes
//   NETPOL_ADVISOR_AUTH_TOKEN_FILE   file holding the API token (secrets come from files only)
//   NETPOL_ADVISOR_KUBERNETES        true|false (kubernetes.enabled)
//   NETPOL_ADVISOR_INTEGRITY_CHECK   quick|full|off (storage.integrityCheck; the CLI reads it too)
import { readFileSync, statSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, crossFieldProblems, defaultSourceName, type Config } from './schema.js';

export const DEFAULT_DB = './netpol-advisor.db';
export const DEFAULT_DEMO_DB = './netpol-advisor-demo.db';
const MAX_CONFIG_BYTES = 1024 * 1024;

export interface ConfigInputs {
  /** --config; falls back to NETPOL_ADVISOR_CONFIG. */
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Command-line flags, highest precedence. */
  readonly flags?: { readonly listen?: string; readonly db?: string };
}

export type ConfigResult =
  | { readonly ok: true; readonly config: Config; readonly file: string | undefined }
  | { readonly ok: false; readonly problems: readonly string[] };

type Json = Record<string, unknown>;

/** `sources[1].address` from ['sources', 1, 'address']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function readYaml(file: string, problems: string[]): Json {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) {
      problems.push(`${file}: larger than ${MAX_CONFIG_BYTES} bytes`);
      return {};
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(
      `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error)}`,
    );
    return {};
  }
  // Core schema only (as for every user YAML: src/policy/yaml-documents.ts): `!!binary` and other
  // non-JSON tags are problems, and an alias bomb is a problem rather than a thrown error.
  const doc = parseDocument(text, {
    prettyErrors: true,
    uniqueKeys: true,
    schema: 'core',
    resolveKnownTags: false,
    merge: false,
  });
  const tag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (tag !== undefined) {
    const pos = tag.linePos?.[0];
    problems.push(
      `${file}${pos !== undefined ? `:${pos.line}:${pos.col}` : ''}: unsupported YAML tag ${/Unresolved tag: (\S+)/.exec(tag.message)?.[1]?.slice(0, 100) ?? ''}: only JSON-compatible types are accepted`,
    );
    return {};
  }
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0];
      problems.push(
        `${file}${pos !== undefined ? `:${pos.line}:${pos.col}` : ''}: ${(error.message.split('\n')[0] ?? 'invalid YAML').replace(/ at line \d+, column \d+:?$/, '')}`,
      );
    }
    return {};
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch {
    problems.push(
      `${file}: too many YAML aliases (more than 100 dereferences): refused as a resource-exhaustion risk`,
    );
    return {};
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${file}: expected a YAML mapping at the top level`);
    return {};
  }
  return value as Json;
}

function setPath(target: Json, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1] ?? ''] = value;
}

const ENV_OVERRIDES: readonly {
  readonly name: string;
  readonly path: readonly string[];
  readonly parse?: (v: string) => unknown;
}[] = [
  { name: 'NETPOL_ADVISOR_LISTEN', path: ['listen'] },
  { name: 'NETPOL_ADVISOR_DB', path: ['db'] },
  { name: 'NETPOL_ADVISOR_LOG_LEVEL', path: ['logLevel'] },
  { name: 'NETPOL_ADVISOR_AUTH_MODE', path: ['auth', 'mode'] },
  { name: 'NETPOL_ADVISOR_AUTH_TOKEN_FILE', path: ['auth', 'tokenFile'] },
  { name: 'NETPOL_ADVISOR_INTEGRITY_CHECK', path: ['storage', 'integrityCheck'] },
  {
    name: 'NETPOL_ADVISOR_KUBERNETES',
    path: ['kubernetes', 'enabled'],
    parse: (v) => (v === 'true' ? true : v === 'false' ? false : v),
  },
];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, origins: ReadonlyMap<string, string>): string[] {
  const path = formatPath(issue.path);
  const origin = origins.get(path);
  const suffix = origin !== undefined ? ` (from ${origin})` : '';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
  }
  return [`${path}: ${issue.message}${suffix}`];
}

/** Reads, merges, validates and freezes the configuration. Never throws on bad input. */
export function loadConfig(inputs: ConfigInputs): ConfigResult {
  const problems: string[] = [];
  const file = inputs.file ?? nonEmpty(inputs.env['NETPOL_ADVISOR_CONFIG']);
  const raw: Json = file !== undefined ? readYaml(file, problems) : {};
  const origins = new Map<string, string>();
  for (const override of ENV_OVERRIDES) {
    const value = nonEmpty(inputs.env[override.name]);
    if (value === undefined) continue;
    setPath(raw, override.path, override.parse !== undefined ? override.parse(value) : value);
    origins.set(formatPath(override.path), override.name);
  }
  if (inputs.flags?.listen !== undefined) {
    raw['listen'] = inputs.flags.listen;
    origins.set('listen', '--listen');
  }
  if (inputs.flags?.db !== undefined) {
    raw['db'] = inputs.flags.db;
    origins.set('db', '--db');
  }
  const parsed = configSchema.safeParse(raw, {
    error: (issue) =>
      (issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined
        ? 'required'
        : undefined,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...describeIssue(issue, origins));
  }
  for (const problem of crossFieldProblems(raw)) {
    const path = formatPath(problem.path);
    const origin = origins.get(path);
    problems.push(`${path}: ${problem.message}${origin !== undefined ? ` (from ${origin})` : ''}`);
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  const data = parsed.data;
  const demoMode = data.sources.length === 0;
  const config: Config = {
    ...data,
    db: data.db ?? (demoMode ? DEFAULT_DEMO_DB : DEFAULT_DB),
    demoMode,
    sources: data.sources.map((source, i) => ({
      ...source,
      name: source.name ?? defaultSourceName(source, i),
    })),
  };
  return { ok: true, config: deepFreeze(config), file };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
