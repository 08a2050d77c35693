import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellQuote, verifyScript } from './verify-script.js';

/** Reference parse of a single-quoted shell word (as sh would read it). */
function unquote(word: string): string {
  let out = '';
  let i = 0;
  while (i < word.length) {
    if (word[i] === "'") {
      const end = word.indexOf("'", i + 1);
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (word[i] === '\\') {
      out += word[i + 1] ?? '';
      i += 2;
    } else throw new Error(`unquoted character ${word[i]}`);
  }
  return out;
}

describe('verify.sh', () => {
  it('quotes any string so the shell reads it back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (value) => {
        expect(unquote(shellQuote(value))).toBe(value);
      }),
    );
    expect(shellQuote("a'; rm -rf / #")).toBe(`'a'\\''; rm -rf / #'`);
  });

  it('writes one quoted check per test', () => {
    const script = verifyScript([
      {
        namespace: 'shop',
        policies: [],
        warnings: [],
        unsafe: [],
        tests: [
          {
            expect: 'allow',
            description: 'shop/api -> data/db:5432',
            from: { namespace: 'shop', selector: { app: 'api' } },
            to: { kind: 'pod', namespace: 'data', selector: { app: 'db', tier: 'x' } },
            protocol: 'TCP',
            port: 5432,
          },
          {
            expect: 'deny',
            description: "evil'$(x)",
            from: { namespace: 'shop', selector: { app: 'web' } },
            to: { kind: 'ip', ip: '203.0.113.10' },
            protocol: 'TCP',
            port: 80,
          },
        ],
      },
    ]);
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain(
      `check allow 'shop/api -> data/db:5432' tcp 'shop' 'app=api' pod 'data' 'app=db,tier=x' '5432'`,
    );
    expect(script).toContain(`check deny 'evil'\\''$(x)' tcp 'shop' 'app=web' ip '203.0.113.10' '80'`);
  });
});
