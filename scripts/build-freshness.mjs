// Which parts of the build are older than their sources: `server` (tsc: src/ except src/web and
// tests → dist/, judged by dist/cli/main.js) and `web` (Vite: src/web → dist/web, judged by
// dist/web/index.html). Used by `npm start` (scripts/start.mjs) to rebuild only what changed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Newest modification time under `dir` of the files `keep` accepts, 0 when there is none. */
function newestMtimeMs(dir, keep) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtimeMs(full, keep));
    else if (keep(full)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

const mtimeMs = (file) => (existsSync(file) ? statSync(file).mtimeMs : -1);

/** @returns {{ server: boolean, web: boolean }} true where the build is missing or older than a source. */
export function staleBuilds(root) {
  const webDir = path.join(root, 'src/web');
  const isServerSource = (file) =>
    !file.startsWith(webDir + path.sep) && file.endsWith('.ts') && !file.endsWith('.test.ts');
  const serverSources = Math.max(
    newestMtimeMs(path.join(root, 'src'), isServerSource),
    mtimeMs(path.join(root, 'tsconfig.build.json')),
  );
  const webSources = newestMtimeMs(webDir, (file) => !file.endsWith('.test.ts'));
  return {
    server: mtimeMs(path.join(root, 'dist/cli/main.js')) < serverSources,
    web: mtimeMs(path.join(root, 'dist/web/index.html')) < webSources,
  };
}
