// Runs on `npm ci` (the `prepare` lifecycle): builds dist/ when the dev dependencies are present,
// so `npx netpol-advisor …` works right after `npm ci`, and the dashboard (vite build of src/web
// into dist/web) when Vite is installed. A production install (`npm ci --omit=dev`) has neither
// TypeScript nor Vite and ships a prebuilt dist/, so there is nothing to do.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

if (existsSync('node_modules/typescript/bin/tsc')) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
if (existsSync('node_modules/vite/bin/vite.js') && existsSync('src/web/index.html')) {
  execFileSync(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      'src/web',
      '--outDir',
      '../../dist/web',
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { stdio: 'inherit' },
  );
}
