import { defineConfig } from 'vitest/config';

// `npm test` runs both projects. `unit` is the quick loop (`npm run test:unit`): pure functions,
// properties, in-process adapters on loopback and real SQLite. `integration` holds the suites that
// start processes: Chromium, the real CLI and daemon as children, kubectl/kustomize, Prometheus
// and Alertmanager binaries, .ci/run. The reliability suites (`*.slow.test.ts`: SIGKILL loops,
// production build) run with `npm run test:slow`, which .ci/run also runs.
const spawning = [
  'test/browser/**/*.test.ts',
  'test/**/*.browser.test.ts',
  'test/deploy/**/*.test.ts',
  'test/daemon/**/*.test.ts',
  'test/cli/**/*.test.ts',
  'test/ingest/**/*.test.ts',
  'test/**/*cli*.test.ts',
  'test/alerts/{alertmanager,metrics-exposition,readme-metrics,ci-run,alert-classification}.test.ts',
  'test/policy/{verify-sh,eval-cni,eval-cluster-policies}.test.ts',
  'test/store/{damaged-db,read-only}.test.ts',
  'test/sources/goldmane-{analysis,fidelity,recommend}.test.ts',
];
const always = ['**/*.slow.test.ts', 'node_modules/**', 'dist/**'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...always, ...spawning],
        },
      },
      { extends: true, test: { name: 'integration', include: spawning, exclude: always } },
    ],
  },
});
