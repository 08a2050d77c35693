// User YAML (policy bodies, snapshot and manifest files) → plain JSON values, or problems naming
// the document and line. Parsed with the YAML 1.2 core schema and nothing else: a tag the core
// schema does not define (`!!binary`, `!!set`, `!!timestamp`, `!custom`, `%TAG` handles) is an
// error, not a silently different value, since Kubernetes objects are JSON and the API server
// would never have seen such a type. Aliases are bounded (an alias bomb is refused with a
// problem, not an exception), duplicate keys are errors. Pure: the caller reads the text.
import { LineCounter, parseAllDocuments } from 'yaml';

export interface YamlValue {
  /** 1-based document number in the stream. */
  readonly document: number;
  readonly value: unknown;
}

export interface YamlProblem {
  readonly document: number;
  /** 1-based line, when the parser located it. */
  readonly line?: number;
  readonly message: string;
}

export interface YamlDocumentsResult {
  /** Non-empty documents only (a trailing `---` yields nothing). */
  readonly values: readonly YamlValue[];
  readonly problems: readonly YamlProblem[];
}

export interface YamlDocumentsOptions {
  /** Alias dereferences allowed per document (yaml's resource-exhaustion guard); default 100. */
  readonly maxAliasCount?: number;
}

export const DEFAULT_MAX_ALIAS_COUNT = 100;

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').slice(0, 300);
}

export function parseYamlDocuments(text: string, options: YamlDocumentsOptions = {}): YamlDocumentsResult {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, {
    schema: 'core',
    resolveKnownTags: false,
    merge: false,
    uniqueKeys: true,
    prettyErrors: false,
    lineCounter,
  });
  const documents = Array.isArray(parsed) ? parsed : [parsed];
  const values: YamlValue[] = [];
  const problems: YamlProblem[] = [];
  const lineOf = (pos: readonly [number, number] | undefined): { line?: number } =>
    pos === undefined ? {} : { line: lineCounter.linePos(pos[0]).line };
  documents.forEach((doc, i) => {
    const document = i + 1;
    const error = doc.errors[0];
    if (error !== undefined) {
      problems.push({
        document,
        ...lineOf(error.pos),
        message: `not valid YAML: ${firstLine(error.message)}`,
      });
      return;
    }
    const tag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
    if (tag !== undefined) {
      const name = /Unresolved tag: (\S+)/.exec(tag.message)?.[1] ?? 'unknown';
      problems.push({
        document,
        ...lineOf(tag.pos),
        message: `unsupported YAML tag ${name.slice(0, 100)}: only the JSON-compatible core schema types (strings, numbers, booleans, null, maps, lists) are accepted`,
      });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT });
    } catch (thrown) {
      // yaml throws a ReferenceError when aliases expand past maxAliasCount (a "billion laughs").
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      problems.push({
        document,
        message: /alias/i.test(message)
          ? `too many YAML aliases (more than ${options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT} dereferences): refused as a resource-exhaustion risk`
          : `cannot be read: ${firstLine(message)}`,
      });
      return;
    }
    if (value !== null && value !== undefined) values.push({ document, value });
  });
  return { values, problems };
}

/** `document 2, line 7: …`. */
export function formatYamlProblem(problem: YamlProblem): string {
  return `document ${problem.document}${problem.line !== undefined ? `, line ${problem.line}` : ''}: ${problem.message}`;
}
