// Issue 15.9: a fix proposed by `drops` or the doctor never has the namespace/name of a policy
// `recommend` emits, whatever the workload names (including names built to collide under the old scheme,
// where a fix was `allow-ingress-web-from-api-8080-tcp` and a workload could be named
// `web-from-api-8080-tcp`).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixPolicyName, policyName } from '../../src/recommend/names.js';

const recommendNames = (workload: string): string[] => [
  policyName('allow-ingress', workload),
  policyName('allow-egress', workload),
  'allow-dns-egress',
  'default-deny',
];
const fixNames = (workload: string, other: string, port: number): string[] => [
  fixPolicyName('ingress', workload, 'from', other, String(port), 'tcp'),
  fixPolicyName('egress', workload, 'to', other, String(port), 'udp'),
  // The doctor's DNS fix, for the namespace and per isolating policy (src/doctor/dns.ts).
  fixPolicyName('dns-egress'),
  fixPolicyName('dns-egress', other),
];

describe('fix names never collide with recommend names', () => {
  it('for the name that used to collide', () => {
    expect(recommendNames('web-from-api-8080-tcp')).not.toContain(fixNames('web', 'api', 8080)[0]);
    expect(fixNames('web', 'api', 8080)[0]).toBe('fix-ingress-web-from-api-8080-tcp');
  });

  it('for arbitrary workload names, valid or not, long or short', () => {
    const name = fc.oneof(
      fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,70}[a-z0-9])?$/),
      fc.string({ maxLength: 90 }),
    );
    fc.assert(
      fc.property(name, name, name, fc.integer({ min: 1, max: 65535 }), (a, b, c, port) => {
        const recommended = new Set([...recommendNames(a), ...recommendNames(b)]);
        for (const fix of [...fixNames(a, b, port), ...fixNames(c, a, port)])
          expect(recommended.has(fix)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});
