// Calico selector expressions (libcalico-go lib/selector): `k == 'v'`, `k != 'v'`, `k in {'a','b'}`,
// `k not in {…}`, `has(k)`, `!has(k)`, `all()`, `global()`, `k contains 's'`, `k starts with 's'`,
// `k ends with 's'`, `&&`, `||`, `!`, parentheses. Parsed once into a predicate over a label map.
// Upstream semantics kept: `!=` and `not in` match when the key is absent; `global()` matches only
// non-namespaced endpoints (host endpoints, global network sets), so never a pod here; an empty
// selector is `all()`. Input is attacker-controlled: bounded length and nesting, errors as values.
import type { Labels } from '../model.js';

export type CalicoPredicate = (labels: Labels) => boolean;

export type SelectorParse =
  | { readonly ok: true; readonly matches: CalicoPredicate; readonly isAll: boolean }
  | { readonly ok: false; readonly error: string };

const MAX_SELECTOR_CHARS = 4096;
const MAX_DEPTH = 64;

type Token = { t: 'ident'; v: string } | { t: 'str'; v: string } | { t: 'op'; v: string };

const IDENT = /[A-Za-z0-9_./-]/;

function tokenize(text: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return `unterminated string at offset ${i}`;
      out.push({ t: 'str', v: text.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '&&' || two === '||') {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if ('(){},!'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    if (IDENT.test(c)) {
      let j = i;
      while (j < text.length && IDENT.test(text[j] as string)) j++;
      out.push({ t: 'ident', v: text.slice(i, j) });
      i = j;
      continue;
    }
    return `unexpected character ${JSON.stringify(c)} at offset ${i}`;
  }
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === 'op' && t.v === v;
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === 'ident' && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new SyntaxError(`expected "${v}"${this.where()}`);
    this.pos++;
  }
  private where(): string {
    const t = this.peek();
    return t === undefined ? ' at the end' : ` before ${JSON.stringify(t.v)}`;
  }
  private string(): string {
    const t = this.peek();
    if (t === undefined || t.t !== 'str') throw new SyntaxError(`expected a quoted string${this.where()}`);
    this.pos++;
    return t.v;
  }

  parseAll(): CalicoPredicate {
    const predicate = this.or(0);
    if (this.pos !== this.tokens.length)
      throw new SyntaxError(`unexpected ${JSON.stringify(this.peek()?.v ?? '')}`);
    return predicate;
  }

  private or(depth: number): CalicoPredicate {
    if (depth > MAX_DEPTH) throw new SyntaxError('nested too deeply');
    const parts = [this.and(depth)];
    while (this.isOp('||')) {
      this.pos++;
      parts.push(this.and(depth));
    }
    return parts.length === 1 ? (parts[0] as CalicoPredicate) : (labels) => parts.some((p) => p(labels));
  }

  private and(depth: number): CalicoPredicate {
    const parts = [this.unary(depth)];
    while (this.isOp('&&')) {
      this.pos++;
      parts.push(this.unary(depth));
    }
    return parts.length === 1 ? (parts[0] as CalicoPredicate) : (labels) => parts.every((p) => p(labels));
  }

  private unary(depth: number): CalicoPredicate {
    if (this.isOp('!')) {
      this.pos++;
      const inner = this.unary(depth + 1);
      return (labels) => !inner(labels);
    }
    if (this.isOp('(')) {
      this.pos++;
      const inner = this.or(depth + 1);
      this.expectOp(')');
      return inner;
    }
    return this.term();
  }

  private term(): CalicoPredicate {
    const t = this.peek();
    if (t === undefined || t.t !== 'ident')
      throw new SyntaxError(`expected a label key or function${this.where()}`);
    this.pos++;
    if ((t.v === 'all' || t.v === 'global' || t.v === 'has') && this.isOp('(')) {
      this.pos++;
      if (t.v === 'has') {
        const key = this.peek();
        if (key === undefined || key.t !== 'ident')
          throw new SyntaxError(`has() needs a label key${this.where()}`);
        this.pos++;
        this.expectOp(')');
        return (labels) => Object.hasOwn(labels, key.v);
      }
      this.expectOp(')');
      // global() selects non-namespaced endpoints only: no pod carries that distinction's marker.
      return t.v === 'all' ? () => true : () => false;
    }
    const key = t.v;
    if (this.isOp('==')) {
      this.pos++;
      const v = this.string();
      return (labels) => Object.hasOwn(labels, key) && labels[key] === v;
    }
    if (this.isOp('!=')) {
      this.pos++;
      const v = this.string();
      return (labels) => !Object.hasOwn(labels, key) || labels[key] !== v;
    }
    if (this.isWord('in')) {
      this.pos++;
      const set = this.set();
      return (labels) => Object.hasOwn(labels, key) && set.has(labels[key] as string);
    }
    if (this.isWord('not')) {
      this.pos++;
      if (!this.isWord('in')) throw new SyntaxError(`expected "in" after "not"${this.where()}`);
      this.pos++;
      const set = this.set();
      return (labels) => !Object.hasOwn(labels, key) || !set.has(labels[key] as string);
    }
    if (this.isWord('contains')) {
      this.pos++;
      const v = this.string();
      return (labels) => Object.hasOwn(labels, key) && (labels[key] as string).includes(v);
    }
    if (this.isWord('starts') || this.isWord('ends')) {
      const which = (this.peek() as Token).v;
      this.pos++;
      if (!this.isWord('with')) throw new SyntaxError(`expected "with" after "${which}"${this.where()}`);
      this.pos++;
      const v = this.string();
      return which === 'starts'
        ? (labels) => Object.hasOwn(labels, key) && (labels[key] as string).startsWith(v)
        : (labels) => Object.hasOwn(labels, key) && (labels[key] as string).endsWith(v);
    }
    throw new SyntaxError(`expected an operator after ${JSON.stringify(key)}${this.where()}`);
  }

  private set(): Set<string> {
    this.expectOp('{');
    const values = new Set<string>();
    if (this.isOp('}')) {
      this.pos++;
      return values;
    }
    values.add(this.string());
    while (this.isOp(',')) {
      this.pos++;
      values.add(this.string());
    }
    this.expectOp('}');
    return values;
  }
}

/** Parses a Calico selector; an empty or blank selector means all(). */
export function parseCalicoSelector(text: string): SelectorParse {
  if (text.length > MAX_SELECTOR_CHARS)
    return { ok: false, error: `longer than ${MAX_SELECTOR_CHARS} characters` };
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'all()') return { ok: true, matches: () => true, isAll: true };
  const tokens = tokenize(trimmed);
  if (typeof tokens === 'string') return { ok: false, error: tokens };
  try {
    return { ok: true, matches: new Parser(tokens).parseAll(), isAll: false };
  } catch (error) {
    if (error instanceof SyntaxError) return { ok: false, error: error.message };
    throw error;
  }
}
