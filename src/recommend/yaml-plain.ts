// Which strings may be written as plain (unquoted) YAML scalars: identifier-like text that no
// YAML 1.1 or 1.2 parser reads as anything but that string. Everything else, keys included, is
// double quoted, so label values and names from the cluster round-trip exactly.

/** Plain scalars we allow unquoted: identifier-like, and not a reserved word of YAML 1.1/1.2. */
const SAFE_PLAIN_RE = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);

/** The yaml library's YAML 1.1 float rule has an optional mantissa: `E0`, `e-5` read as numbers. */
const EXPONENT_ONLY_RE = /^[eE][-+]?[0-9]/;

export function isSafePlain(text: string): boolean {
  return (
    SAFE_PLAIN_RE.test(text) &&
    !RESERVED.has(text.toLowerCase()) &&
    !text.endsWith('.') &&
    !EXPONENT_ONLY_RE.test(text)
  );
}
