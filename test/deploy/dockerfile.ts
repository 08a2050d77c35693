// Just enough of the Dockerfile and .dockerignore grammars to check the image statically (no
// Docker engine runs here): instructions with line continuations and comments, stages, COPY
// flags, exec-form JSON arguments, and Docker's ignore-pattern matching.

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

export function parseDockerfile(text: string): {
  readonly preamble: Instruction[];
  readonly stages: Stage[];
} {
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let current = (lines[i] ?? '').trim();
    if (current === '' || current.startsWith('#')) continue;
    while (current.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = (lines[i] ?? '').trim();
      if (next.startsWith('#')) continue;
      current = `${current.slice(0, -1).trimEnd()} ${next}`;
    }
    const match = /^(\S+)\s*(.*)$/.exec(current);
    if (match === null) continue;
    const instruction = { keyword: (match[1] ?? '').toUpperCase(), args: match[2] ?? '', line: start + 1 };
    if (instruction.keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      stages.push({ image: from?.[1] ?? '', name: from?.[2], instructions: [] });
    } else if (stages.length === 0) {
      preamble.push(instruction);
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return { preamble, stages };
}

/** `COPY [--from=x] [--chown=…] src… dest` split into flags, sources and destination. */
export function parseCopy(args: string): {
  readonly flags: Record<string, string>;
  readonly sources: string[];
  readonly dest: string;
} {
  const words = args.trim().startsWith('[') ? parseExecForm(args) : args.trim().split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--') === true) {
    const [name, value] = (words.shift() ?? '').slice(2).split('=', 2);
    flags[name ?? ''] = value ?? '';
  }
  const dest = words.pop() ?? '';
  return { flags, sources: words, dest };
}

/** `["node", "x"]` → ['node', 'x']; throws on the shell form, which this project does not use. */
export function parseExecForm(args: string): string[] {
  const value: unknown = JSON.parse(args);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new Error(`not an exec-form array: ${args}`);
  return value;
}

/**
 * Whether .dockerignore excludes `file` (a path relative to the context, with `/`): the last
 * matching pattern wins, `!` re-includes, a pattern that matches a parent directory excludes
 * everything below it, `*` stays within a path segment and `**` crosses segments.
 */
export function isIgnored(patterns: readonly string[], file: string): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    if (pattern === '') continue;
    const regex = globToRegExp(pattern);
    const parts = file.split('/');
    const matches = parts.some((_, i) => regex.test(parts.slice(0, i + 1).join('/')));
    if (matches) ignored = !negate;
  }
  return ignored;
}

export function readIgnorePatterns(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*' && pattern[i + 1] === '*') {
      out += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
