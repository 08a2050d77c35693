import { defineConfig } from 'vitest/config';

// The reliability suites (`*.slow.test.ts`). No passWithNoTests: a pattern that matches nothing fails.

export default defineConfig({
  test: {
    include: ['src/**/*.slow.test.ts', 'test/**/*.slow.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
