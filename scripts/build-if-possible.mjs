// Runs on `npm ci` (the `prepare` lifecycle): builds dist/ when the dev dependencies are present,
// so `npx netpol-advisor …` works right after `npm ci`. A production install (`npm ci --omit=dev`)
// has no TypeScript and ships a prebuilt dist/, so there is nothing to do.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

if (existsSync('node_modules/typescript/bin/tsc')) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
