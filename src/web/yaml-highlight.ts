// YAML syntax highlighting without HTML: a line tokenizer (pure, tested) and a renderer that
// builds one <span> per token with textContent, so policy names and labels from the cluster can
// never become markup.
import { h } from './dom.js';

export type YamlTokenKind = 'comment' | 'key' | 'punct' | 'string' | 'number' | 'bool' | 'text' | 'doc';
export interface YamlToken {
  readonly kind: YamlTokenKind;
  readonly text: string;
}

function scalarKind(value: string): YamlTokenKind {
  const v = value.trim();
  if (v === '') return 'text';
  if (/^(['"]).*\1$/.test(v)) return 'string';
  if (/^-?\d+(\.\d+)?$/.test(v)) return 'number';
  if (/^(true|false|null|~)$/.test(v)) return 'bool';
  return 'string';
}

/** Splits a value from its trailing ` # comment` (outside quotes). */
function splitComment(rest: string): [string, string] {
  let quote: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || rest[i - 1] === ' ')) return [rest.slice(0, i), rest.slice(i)];
  }
  return [rest, ''];
}

export function tokenizeYamlLine(line: string): YamlToken[] {
  const tokens: YamlToken[] = [];
  const push = (kind: YamlTokenKind, text: string): void => {
    if (text !== '') tokens.push({ kind, text });
  };
  if (/^(---|\.\.\.)\s*$/.test(line)) return [{ kind: 'doc', text: line }];
  const indent = /^[\s]*(- )*/.exec(line)?.[0] ?? '';
  push('punct', indent);
  const body = line.slice(indent.length);
  if (body.startsWith('#')) {
    push('comment', body);
    return tokens;
  }
  const keyMatch = /^([^\s'"#:][^:#]*|"[^"]*"|'[^']*'):(\s|$)/.exec(body);
  let rest = body;
  if (keyMatch !== null) {
    push('key', keyMatch[1] ?? '');
    push('punct', ':');
    rest = body.slice((keyMatch[1] ?? '').length + 1);
  }
  const [value, comment] = splitComment(rest);
  const lead = /^\s*/.exec(value)?.[0] ?? '';
  push('text', lead);
  const scalar = value.slice(lead.length);
  const trimmed = scalar.replace(/\s+$/, '');
  push(/^[[{|>]/.test(trimmed) ? 'punct' : scalarKind(trimmed), trimmed);
  push('text', scalar.slice(trimmed.length));
  push('comment', comment);
  return tokens;
}

/** A <pre> with one span per token, every token's text set as text. */
export function renderYaml(text: string): HTMLPreElement {
  const lines = text.replace(/\n$/, '').split('\n');
  return h(
    'pre',
    { class: 'yaml' },
    lines.map((line) =>
      h(
        'span',
        { class: 'yaml-line' },
        tokenizeYamlLine(line).map((t) => h('span', { class: `y-${t.kind}` }, t.text)),
        '\n',
      ),
    ),
  );
}
