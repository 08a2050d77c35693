// `npm run bench`: runs every benchmark in bench/ (each `*.ts` except helpers such as the flow
// generator) one after another with tsx, passing through their output.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const helpers = new Set([
  'generate-flows.ts',
  'cluster-scale.ts',
  'cluster-edges.ts',
  'eval-cluster.ts',
  'relay-h2-server.ts',
  'engine-cni-policies.ts',
  'api-driver.ts',
  'api-client.ts',
  'serve-process.ts',
  'dashboard-browser.ts',
]);
const benches = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !helpers.has(f))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== bench/${file}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${file}`, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
