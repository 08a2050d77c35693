// Manifests as YAML, always through the yaml library's Document API (never string templates):
// every string that a YAML 1.1 or 1.2 parser could read as anything but that string is double
// quoted (yes/no/on/off, numbers, null, ~, leading *, &, !, #, spaces, colons, newlines …), keys
// included, so label values and names from the cluster round-trip exactly. Rule comments are
// attached to the rule nodes.
import { Document, isMap, isScalar, isSeq, Scalar, visit } from 'yaml';
import type { RuleEvidence } from './proposal.js';

/** Plain scalars we allow unquoted: identifier-like, and not a reserved word of YAML 1.1/1.2. */
const SAFE_PLAIN_RE = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);

/** The yaml library's YAML 1.1 float rule has an optional mantissa: `E0`, `e-5` read as numbers. */
const EXPONENT_ONLY_RE = /^[eE][-+]?[0-9]/;

export function isSafePlain(text: string): boolean {
  return SAFE_PLAIN_RE.test(text) && !RESERVED.has(text.toLowerCase()) && !text.endsWith('.') && !EXPONENT_ONLY_RE.test(text);
}

/** Forces double quotes on every string scalar (key or value) that is not unambiguous plain text. */
function quoteAmbiguous(doc: Document): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !isSafePlain(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
}

export function toYamlDocument(object: unknown, rules: readonly RuleEvidence[] = [], header?: string): Document {
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

/** One or more objects as a multi-document YAML stream. */
export function toYamlStream(items: readonly { readonly object: unknown; readonly rules?: readonly RuleEvidence[]; readonly header?: string }[]): string {
  return items.map((item) => toYamlDocument(item.object, item.rules ?? [], item.header).toString({ lineWidth: 0 })).map((text) => `---\n${text}`).join('');
}
