#!/usr/bin/env node
// Entry point: runs the compiled CLI from dist/ (built by `npm ci` through `prepare`, or `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('netpol-advisor: dist/ is missing; run `npm run build` first\n');
  process.exit(1);
}
const { runCli } = await import(main.href);
process.exitCode = await runCli(process.argv.slice(2));
