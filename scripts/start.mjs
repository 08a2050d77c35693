// `npm start`: the daemon from dist/, rebuilding first only when a source is newer than its build
// (tsc for src/ into dist/, Vite for src/web into dist/web), so a start after a build is
// immediate. The JSON logs are kept to errors unless NETPOL_ADVISOR_LOG_LEVEL says otherwise:
// `serve` prints the one human line a person needs (the URL). Extra arguments go to `serve`.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { staleBuilds } from './build-freshness.mjs';

const root = path.resolve(import.meta.dirname, '..');
const stale = staleBuilds(root);
if (stale.server) {
  process.stderr.write('netpol-advisor: building (the sources changed since the last build)…\n');
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')],
    { stdio: 'inherit', cwd: root },
  );
}
if (stale.web) {
  process.stderr.write('netpol-advisor: building the dashboard (src/web changed since the last build)…\n');
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      'src/web',
      '--outDir',
      '../../dist/web',
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { stdio: 'inherit', cwd: root },
  );
}

process.env['NETPOL_ADVISOR_LOG_LEVEL'] ??= 'error';
const { runCli } = await import(new URL('../dist/cli/main.js', import.meta.url).href);
process.exitCode = await runCli(['serve', ...process.argv.slice(2)]);
