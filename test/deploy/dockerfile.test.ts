// The Dockerfile checked statically (no Docker engine runs on these machines): multi-stage on one
// Node 22 base, non-root numeric user, no HEALTHCHECK, OCI labels, the entrypoint runs `serve`,
// every COPY has a real source, and the build context cannot carry secrets or local state.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isIgnored,
  parseCopy,
  parseDockerfile,
  parseExecForm,
  readIgnorePatterns,
  type Stage,
} from './dockerfile.js';
import { repoRoot } from './render.js';
import { RUNTIME_FILES } from './runtime-files.js';

const { preamble, stages } = parseDockerfile(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));
const ignore = readIgnorePatterns(readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8'));
const finalStage = stages[stages.length - 1] as Stage;
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
/** What the build stage creates itself rather than copies from the context. */
const BUILD_OUTPUTS = new Set(['dist', 'node_modules']);
const SECRET_LIKE =
  /(^|\/)(\.env(\..*)?|.*\.(pem|key|p12|pfx|crt)|\.npmrc|id_rsa.*|id_ed25519.*|.*kubeconfig|secrets?)(\/|$)/i;

function args(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

function workdir(stage: Stage): string {
  return args(stage, 'WORKDIR').at(-1) ?? '/';
}

describe('Dockerfile', () => {
  it('is multi-stage, every stage on the same pinned Node 22 image (native modules move between them)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(preamble.filter((i) => i.keyword !== 'ARG')).toEqual([]);
    for (const stage of stages) {
      expect(stage.image).toMatch(/^node:22\.\d+\.\d+-[a-z0-9-]+$/);
    }
    expect(new Set(stages.map((s) => s.image)).size).toBe(1);
    const build = stages[0] as Stage;
    const runs = args(build, 'RUN').join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
    expect(runs).toMatch(/npm prune --omit=dev\b|npm ci --omit=dev\b/);
    // The runtime stage installs nothing and compiles nothing.
    expect(args(finalStage, 'RUN').join('\n')).not.toMatch(/npm (ci|install)|apt-get|g\+\+/);
  });

  it('runs as a non-root numeric user in the final stage', () => {
    const user = args(finalStage, 'USER').at(-1);
    expect(user, 'a USER in the final stage').toBeDefined();
    const match = /^(\d+)(?::(\d+))?$/.exec(user ?? '');
    expect(match, `USER ${String(user)} is numeric uid[:gid]`).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThan(0);
    if (match?.[2] !== undefined) expect(Number(match[2])).toBeGreaterThan(0);
  });

  it("has no HEALTHCHECK and no ADD (the probes are Kubernetes'; ADD could fetch URLs)", () => {
    const keywords = stages.flatMap((s) => s.instructions.map((i) => i.keyword));
    expect(keywords).not.toContain('HEALTHCHECK');
    expect(keywords).not.toContain('ADD');
  });

  it('carries the OCI labels, with the package version', () => {
    const labels = args(finalStage, 'LABEL').join(' ');
    for (const key of ['title', 'description', 'version', 'licenses']) {
      expect(labels).toMatch(new RegExp(`org\\.opencontainers\\.image\\.${key}=`));
    }
    expect(labels).toContain(`org.opencontainers.image.version="${pkg.version}"`);
  });

  it('starts `netpol-advisor serve` with the config the Deployment mounts, data and TMPDIR on the volume', () => {
    const entrypoint = parseExecForm(args(finalStage, 'ENTRYPOINT').at(-1) ?? '[]');
    const cmd = parseExecForm(args(finalStage, 'CMD').at(-1) ?? '[]');
    expect([...entrypoint, ...cmd]).toEqual([
      'node',
      'bin/netpol-advisor.js',
      'serve',
      '--config',
      '/etc/netpol-advisor/config.yaml',
    ]);
    expect(existsSync(path.join(repoRoot, 'bin/netpol-advisor.js'))).toBe(true);
    expect(workdir(finalStage)).toBe('/app');
    expect(args(finalStage, 'ENV').join(' ')).toMatch(/TMPDIR=\/var\/lib\/netpol-advisor\b/);
    expect(args(finalStage, 'VOLUME').join(' ')).toContain('/var/lib/netpol-advisor');
  });

  it('copies from the context only files that exist and no secrets', () => {
    for (const stage of stages) {
      for (const copy of args(stage, 'COPY').map(parseCopy)) {
        if (copy.flags['from'] !== undefined) continue;
        for (const source of copy.sources) {
          expect(existsSync(path.join(repoRoot, source)), `COPY ${source} exists`).toBe(true);
          expect(source).not.toMatch(SECRET_LIKE);
          if (source !== '.')
            expect(isIgnored(ignore, source), `${source} is not excluded by .dockerignore`).toBe(false);
        }
      }
    }
  });

  it('copies from the build stage only what it has: context files under its WORKDIR, or its build output', () => {
    const copies = args(finalStage, 'COPY')
      .map(parseCopy)
      .filter((c) => c.flags['from'] !== undefined);
    expect(copies.length).toBeGreaterThan(0);
    const shipped = new Set<string>();
    for (const copy of copies) {
      const from = stages.find((s) => s.name === copy.flags['from']);
      expect(from, `stage ${String(copy.flags['from'])}`).toBeDefined();
      if (from === undefined) continue;
      const copiesAll = args(from, 'COPY').some((a) => parseCopy(a).sources.includes('.'));
      for (const source of copy.sources) {
        const relative = path.posix.relative(workdir(from), source);
        expect(relative.startsWith('..'), `${source} is under the build WORKDIR`).toBe(false);
        const top = relative.split('/')[0] ?? '';
        shipped.add(top);
        if (BUILD_OUTPUTS.has(top)) continue;
        expect(existsSync(path.join(repoRoot, relative)), `${relative} exists in the repository`).toBe(true);
        expect(copiesAll && !isIgnored(ignore, relative), `${relative} reaches the build stage`).toBe(true);
      }
    }
    // What `node bin/netpol-advisor.js serve` needs at run time (src/ reads proto/ and demo/ next to
    // dist/ through import.meta.url); production-build.slow.test.ts runs exactly this set.
    expect([...shipped].sort()).toEqual([...RUNTIME_FILES].sort());
  });

  it('ships migrations: the repository has numbered .sql files for the start-up migration', () => {
    const dir = path.join(repoRoot, 'migrations');
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+_[a-z0-9_-]+\.sql$/.test(f)) : [];
    expect(files.length, 'migrations/NNN_name.sql').toBeGreaterThan(0);
  });
});

describe('.dockerignore', () => {
  it.each([
    '.env',
    '.env.production',
    'certs/client.key',
    'tls.pem',
    '.git/config',
    'node_modules/x/index.js',
    'dist/cli/main.js',
    'netpol-advisor.db',
    'data/x.db-wal',
    'test/fixtures/a.jsonl',
    '.npmrc',
    'deploy/overlays/calico/kustomization.yaml',
  ])('keeps %s out of the build context', (file) => {
    expect(isIgnored(ignore, file)).toBe(true);
  });

  it.each([
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'src/cli/main.ts',
    'src/flows/flow.ts',
    'bin/netpol-advisor.js',
    'migrations/001_init.sql',
    'scripts/build-if-possible.mjs',
  ])('lets %s into the build context', (file) => {
    expect(isIgnored(ignore, file)).toBe(false);
  });

  it('follows Docker matching: last match wins, ! re-includes, * stays in a segment, ** crosses', () => {
    expect(isIgnored(['*.md', '!README.md'], 'README.md')).toBe(false);
    expect(isIgnored(['*.md'], 'docs/a.md')).toBe(false);
    expect(isIgnored(['**/*.md'], 'docs/a.md')).toBe(true);
    expect(isIgnored(['docs'], 'docs/deep/a.md')).toBe(true);
  });
});
