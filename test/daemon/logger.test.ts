import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/daemon.js';

describe('daemon logger', () => {
  it('writes JSON with a child per component and redacts tokens and webhook URLs', () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => lines.push(line) });
    const child = logger.child({ component: 'alerts' });
    child.info(
      {
        receiver: { type: 'slack', url: 'https://hooks.slack.com/services/T000/B000/SECRET' },
        token: 'abcdef0123456789',
        headers: { authorization: 'Bearer abcdef' },
      },
      'delivering',
    );
    child.debug({ flow: 'not at info' }, 'per-flow detail');
    expect(lines.length).toBe(1);
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({
      service: 'netpol-advisor',
      component: 'alerts',
      msg: 'delivering',
      token: '[redacted]',
      receiver: { url: '[redacted]' },
      headers: { authorization: '[redacted]' },
    });
    expect(lines[0]).not.toMatch(/SECRET|abcdef/);
  });
});
