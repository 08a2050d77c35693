// The top-level paths the container image's runtime stage holds under /app: what
// `node bin/netpol-advisor.js serve` reads (the code, its dependencies, the migrations applied at
// start, and the .proto and demo files that src/ finds next to dist/ through import.meta.url).
export const RUNTIME_FILES: readonly string[] = [
  'package.json',
  'package-lock.json',
  'node_modules',
  'bin',
  'dist',
  'migrations',
  'proto',
  'demo',
];
