import { defineConfig } from 'vitest/config';

// The default run: unit, property and integration tests. Slow reliability suites (`*.slow.test.ts`)
// run with `npm run test:slow`, which .ci/run also runs.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/*.slow.test.ts', 'node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
