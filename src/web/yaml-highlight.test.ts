import { describe, expect, it } from 'vitest';
import { tokenizeYamlLine } from './yaml-highlight.js';

const kinds = (line: string): string[] => tokenizeYamlLine(line).map((t) => `${t.kind}:${t.text}`);

describe('tokenizeYamlLine', () => {
  it('splits keys, punctuation, scalars and comments', () => {
    expect(kinds('  name: web # the front end')).toEqual([
      'punct:  ',
      'key:name',
      'punct::',
      'text: ',
      'string:web',
      'text: ',
      'comment:# the front end',
    ]);
    expect(kinds('    - port: 8080')).toEqual([
      'punct:    - ',
      'key:port',
      'punct::',
      'text: ',
      'number:8080',
    ]);
    expect(kinds('---')).toEqual(['doc:---']);
    expect(kinds('# header')).toEqual(['comment:# header']);
  });

  it('keeps every character, including markup, as token text', () => {
    for (const line of [
      '  app: "<img src=x onerror=alert(1)>"',
      "key: 'a # not a comment'",
      'weird:::value',
      '  - {a: 1}',
      '',
    ]) {
      expect(
        tokenizeYamlLine(line)
          .map((t) => t.text)
          .join(''),
      ).toBe(line);
    }
    expect(tokenizeYamlLine("key: 'a # not a comment'").some((t) => t.kind === 'comment')).toBe(false);
  });
});
