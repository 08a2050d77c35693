// Manifests as YAML. The reference writer is the yaml library's Document API (never string
// templates): every string that a YAML 1.1 or 1.2 parser could read as anything but that string
// is double quoted (yes/no/on/off, numbers, null, ~, leading *, &, !, #, spaces, colons,
// newlines …), keys included, so label values and names from the cluster round-trip exactly.
// Rule comments are attached to the rule nodes. The shapes the recommender emits go through
// yaml-fast.ts, which writes the same bytes directly; anything else through the library.
import { Document, isMap, isScalar, isSeq, Scalar, visit } from 'yaml';
import type { RuleEvidence } from './proposal.js';
import { fastYamlDocument } from './yaml-fast.js';
import { isSafePlain } from './yaml-plain.js';

export { isSafePlain } from './yaml-plain.js';

/** Forces double quotes on every string scalar (key or value) that is not unambiguous plain text. */
function quoteAmbiguous(doc: Document): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !isSafePlain(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
}

export function toYamlDocument(
  object: unknown,
  rules: readonly RuleEvidence[] = [],
  header?: string,
): Document {
  const doc = new Document(object);
  quoteAmbiguous(doc);
  if (header !== undefined) doc.commentBefore = ` ${oneLine(header)}`;
  const spec = isMap(doc.contents) ? doc.contents.get('spec', true) : undefined;
  if (isMap(spec)) {
    for (const rule of rules) {
      const seq = spec.get(rule.direction, true);
      if (!isSeq(seq)) continue;
      const item = seq.items[rule.index];
      if (isMap(item) || isScalar(item)) item.commentBefore = ` ${oneLine(rule.comment)}`;
    }
  }
  return doc;
}

/** Comments must stay on one line: a newline in attacker-controlled text would end the comment. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

export interface YamlItem {
  readonly object: unknown;
  readonly rules?: readonly RuleEvidence[];
  readonly header?: string;
}

/** The rule items' comments by item, for the fast writer; undefined when a rule names a non-object. */
function ruleComments(object: unknown, rules: readonly RuleEvidence[]): Map<unknown, string> | undefined {
  const comments = new Map<unknown, string>();
  if (rules.length === 0) return comments;
  const spec =
    typeof object === 'object' && object !== null ? (object as Record<string, unknown>)['spec'] : undefined;
  if (typeof spec !== 'object' || spec === null) return comments;
  for (const rule of rules) {
    const seq = (spec as Record<string, unknown>)[rule.direction];
    if (!Array.isArray(seq)) continue;
    const item: unknown = seq[rule.index];
    if (item === undefined) continue;
    if (typeof item !== 'object' || item === null) return undefined;
    comments.set(item, oneLine(rule.comment));
  }
  return comments;
}

/** One object as a YAML document, without the leading `---`. */
export function yamlDocumentText(item: YamlItem): string {
  const rules = item.rules ?? [];
  const comments = ruleComments(item.object, rules);
  const fast =
    comments === undefined
      ? undefined
      : fastYamlDocument(item.object, item.header === undefined ? undefined : oneLine(item.header), comments);
  return fast ?? toYamlDocument(item.object, rules, item.header).toString({ lineWidth: 0 });
}

/** The library's rendering alone (the reference the fast writer is tested against). */
export function libraryYamlDocumentText(item: YamlItem): string {
  return toYamlDocument(item.object, item.rules ?? [], item.header).toString({ lineWidth: 0 });
}

/** One or more objects as a multi-document YAML stream. */
export function toYamlStream(items: readonly YamlItem[]): string {
  let out = '';
  for (const item of items) out += `---\n${yamlDocumentText(item)}`;
  return out;
}
