import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDns1123Label, policyName } from './names.js';

describe('policyName', () => {
  it('keeps valid names as they are', () => {
    expect(policyName('allow-ingress', 'web')).toBe('allow-ingress-web');
  });
  it('sanitizes and hashes invalid or long names, stably', () => {
    const a = policyName('allow-ingress', 'Web_App');
    expect(isDns1123Label(a)).toBe(true);
    expect(a).toMatch(/^allow-ingress-web-app-[0-9a-f]{8}$/);
    expect(policyName('allow-ingress', 'Web_App')).toBe(a);
    expect(policyName('allow-ingress', 'web.app')).not.toBe(a);
    expect(policyName('allow-egress', 'x'.repeat(100)).length).toBeLessThanOrEqual(63);
  });
  it('always yields a DNS-1123 label', () => {
    fc.assert(fc.property(fc.string(), (s) => isDns1123Label(policyName('allow-egress', s))));
  });
});
