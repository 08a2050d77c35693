// Object names for generated manifests: DNS-1123 labels (≤ 63 chars), stable across runs.
// When the readable form had to be changed (invalid characters, too long) a short hash of the
// original is appended so two different workloads never collapse onto one name.

const MAX_NAME_CHARS = 63;
const HASH_CHARS = 8;

/** FNV-1a, 32 bit, as 8 hex digits: stable, pure, good enough to disambiguate names. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(HASH_CHARS, '0');
}

const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(text: string): boolean {
  return text.length <= MAX_NAME_CHARS && DNS1123_LABEL_RE.test(text);
}

/** Joins the parts into a DNS-1123 label; exact when already valid, otherwise sanitized + hash. */
export function policyName(...parts: readonly string[]): string {
  const wanted = parts.join('-');
  if (isDns1123Label(wanted)) return wanted;
  const cleaned = wanted
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  const head = cleaned.slice(0, MAX_NAME_CHARS - HASH_CHARS - 1).replace(/-+$/g, '');
  return head === '' ? `np-${shortHash(wanted)}` : `${head}-${shortHash(wanted)}`;
}

/**
 * The name of a fix proposed by `drops` or `doctor`: always `fix-…`. `recommend` names its
 * policies `allow-ingress-…`, `allow-egress-…`, `allow-dns-egress` and `default-deny`, so a fix
 * never has the name of a recommended policy, and applying one after the other adds a policy
 * instead of silently replacing the first (policyName keeps the readable head, hash or not).
 */
export function fixPolicyName(...parts: readonly string[]): string {
  return policyName('fix', ...parts);
}
