import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DB, DEFAULT_DEMO_DB, loadConfig, type ConfigResult } from './load.js';
import type { Config } from './schema.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(yaml: string): string {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

function ok(result: ConfigResult): Config {
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.problems.join('\n')}`);
  return result.config;
}

function problems(result: ConfigResult): readonly string[] {
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('loadConfig', () => {
  it('defaults to demo mode on loopback with the demo database', () => {
    const config = ok(loadConfig({ env: {} }));
    expect(config.demoMode).toBe(true);
    expect(config.listen).toBe('127.0.0.1:8080');
    expect(config.db).toBe(DEFAULT_DEMO_DB);
    expect(config.auth.mode).toBe('none');
    expect(config.limits.queueCapacity).toBeGreaterThan(0);
    expect(config.limits.maxLineBytes).toBe(1024 * 1024);
  });

  it('reads the contract example with every source type', () => {
    const file = writeConfig(`
listen: "0.0.0.0:9090"
db: /var/lib/npa/flows.db
sources:
  - type: hubble-relay
    address: "hubble-relay.kube-system.svc:80"
    tls: { ca: /etc/tls/ca.crt, cert: /etc/tls/tls.crt, key: /etc/tls/tls.key, serverName: relay }
  - type: goldmane
    address: "goldmane.calico-system.svc:7443"
  - type: file
    format: calico-flowlog
    path: /var/log/calico/flowlogs/flows.log
kubernetes:
  enabled: true
auth:
  mode: token
  tokenFile: /etc/npa/token
alerts:
  - type: webhook
    url: "http://alerts.example:9000/hook"
  - type: log
limits:
  batchSize: 500
`);
    const config = ok(loadConfig({ file, env: {} }));
    expect(config.demoMode).toBe(false);
    expect(config.db).toBe('/var/lib/npa/flows.db');
    expect(config.sources.map((s) => s.name)).toEqual(['hubble-relay-0', 'goldmane-1', 'file-2']);
    const fileSource = config.sources[2];
    expect(fileSource?.type === 'file' && fileSource.follow).toBe(true);
    expect(config.limits.batchSize).toBe(500);
    expect(config.limits.flushIntervalMs).toBe(1000);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.limits)).toBe(true);
    expect(Object.isFrozen(config.sources[0])).toBe(true);
  });

  it('uses the normal database by default once a source is configured', () => {
    const file = writeConfig('sources:\n  - type: file\n    format: hubble\n    path: /tmp/x.log\n');
    expect(ok(loadConfig({ file, env: {} })).db).toBe(DEFAULT_DB);
  });

  it('lists every problem with its path', () => {
    const file = writeConfig(`
lisen: 1
sources:
  - type: file
    path: /x
  - type: hubble-relay
  - type: bogus
  - type: file
    format: hubble
    path: /y
    tls: {}
alerts:
  - type: slack
limits:
  batchSize: -1
  pageSizeDefault: 5000
  pageSizeMax: 10
`);
    const list = problems(loadConfig({ file, env: {} }));
    expect(list).toEqual(
      expect.arrayContaining([
        'lisen: unknown key',
        'sources[0].format: required',
        'sources[1].address: required',
        expect.stringMatching(/^sources\[2\]\.type: /),
        'sources[3].tls: unknown key',
        'alerts[0].url: required (or urlFile)',
        expect.stringMatching(/^limits\.batchSize: /),
      ]),
    );
    expect(list.length).toBeGreaterThanOrEqual(7);
  });

  it('refuses auth none on a non-loopback address, alongside other problems', () => {
    const file = writeConfig(
      'listen: "0.0.0.0:8080"\nsources:\n  - type: goldmane\n    address: g:7443\nlogLevel: loud\n',
    );
    const list = problems(loadConfig({ file, env: {} }));
    expect(list).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^auth\.mode: "none" is only allowed on a loopback/),
        expect.stringMatching(/^logLevel: /),
      ]),
    );
  });

  it('accepts auth none on loopback addresses and refuses demo mode off loopback', () => {
    for (const listen of ['127.0.0.1:0', '[::1]:8080', 'localhost:8080']) {
      expect(loadConfig({ env: {}, flags: { listen } }).ok).toBe(true);
    }
    const list = problems(
      loadConfig({
        env: { NETPOL_ADVISOR_AUTH_MODE: 'token', NETPOL_ADVISOR_AUTH_TOKEN_FILE: '/t' },
        flags: { listen: ':8080' },
      }),
    );
    expect(list).toEqual([expect.stringMatching(/^listen: demo mode .*\(from --listen\)$/)]);
  });

  it('requires a token file for token auth', () => {
    expect(problems(loadConfig({ env: { NETPOL_ADVISOR_AUTH_MODE: 'token' } }))).toEqual([
      'auth.tokenFile: required when auth.mode is token',
    ]);
  });

  it('applies env overrides over the file, and flags over env', () => {
    const file = writeConfig('listen: "127.0.0.1:1111"\ndb: /from/file.db\nlogLevel: warn\n');
    const env = {
      NETPOL_ADVISOR_LISTEN: '127.0.0.1:2222',
      NETPOL_ADVISOR_DB: '/from/env.db',
      NETPOL_ADVISOR_LOG_LEVEL: 'debug',
    };
    const fromEnv = ok(loadConfig({ file, env }));
    expect([fromEnv.listen, fromEnv.db, fromEnv.logLevel]).toEqual([
      '127.0.0.1:2222',
      '/from/env.db',
      'debug',
    ]);
    const fromFlags = ok(loadConfig({ file, env, flags: { listen: '127.0.0.1:3333', db: '/from/flag.db' } }));
    expect([fromFlags.listen, fromFlags.db]).toEqual(['127.0.0.1:3333', '/from/flag.db']);
  });

  it('finds the file through NETPOL_ADVISOR_CONFIG and names the env var of a bad override', () => {
    const file = writeConfig('db: /from/file.db\n');
    expect(ok(loadConfig({ env: { NETPOL_ADVISOR_CONFIG: file } })).db).toBe('/from/file.db');
    expect(problems(loadConfig({ env: { NETPOL_ADVISOR_LISTEN: 'nonsense' } }))).toEqual([
      expect.stringMatching(/^listen: expected HOST:PORT.*\(from NETPOL_ADVISOR_LISTEN\)$/),
    ]);
  });

  it('reports a missing file and invalid YAML with the file name', () => {
    expect(problems(loadConfig({ file: path.join(dir, 'nope.yaml'), env: {} }))).toEqual([
      `${path.join(dir, 'nope.yaml')}: no such file`,
    ]);
    const file = writeConfig('listen: [unclosed\n');
    expect(problems(loadConfig({ file, env: {} }))[0]).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `),
    );
    const scalar = writeConfig('just a string\n');
    expect(problems(loadConfig({ file: scalar, env: {} }))).toEqual([
      `${scalar}: expected a YAML mapping at the top level`,
    ]);
  });

  it('parses with the core schema only: a !!binary value or an alias bomb is a problem naming the file', () => {
    const binary = writeConfig('db: !!binary aGVsbG8=\n');
    expect(problems(loadConfig({ file: binary, env: {} }))).toEqual([
      `${binary}:1:5: unsupported YAML tag tag:yaml.org,2002:binary: only JSON-compatible types are accepted`,
    ]);
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const bomb = writeConfig(`${lines.join('\n')}\n`);
    expect(problems(loadConfig({ file: bomb, env: {} }))[0]).toMatch(/too many YAML aliases/);
  });

  it('treats an empty file as all defaults', () => {
    expect(ok(loadConfig({ file: writeConfig(''), env: {} })).demoMode).toBe(true);
  });

  it('refuses duplicate source names', () => {
    const file = writeConfig(
      'sources:\n  - {type: goldmane, address: "a:1", name: x}\n  - {type: goldmane, address: "b:1", name: x}\n',
    );
    expect(problems(loadConfig({ file, env: {} }))).toEqual([
      'sources[1].name: duplicate source name "x" (also sources[0])',
    ]);
  });
});
