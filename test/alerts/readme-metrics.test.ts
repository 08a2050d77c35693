// The README's alerting and metrics sections cannot go stale: the metric table is the registry's
// (scripts/metrics-doc.ts), the Alertmanager example passes the real `amtool check-config`, and
// the daemon's alerting example passes our config schema.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../src/config/schema.js';
import { README, daemonMetricRows, metricsTable, readmeBlock } from '../../scripts/metrics-doc.js';
import { findBinary, requirePath, skipUnlessPresent } from './binaries.js';

const amtool = findBinary('amtool');
const readme = readFileSync(README, 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

function yamlBlocks(text: string): string[] {
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

describe('README alerting and metrics sections', () => {
  it('lists every metric of the registry with its type and labels', () => {
    const rows = daemonMetricRows();
    expect(readmeBlock(readme), 'run `npx tsx scripts/metrics-doc.ts --write`').toBe(metricsTable(rows));
    expect(rows.find((r) => r.name === 'netpol_advisor_source_events_total')).toMatchObject({
      type: 'counter',
      labels: ['source', 'type'],
    });
    expect(rows.find((r) => r.name === 'netpol_advisor_stream_clients')).toMatchObject({
      type: 'gauge',
      labels: [],
    });
  });

  it('has an alerting configuration example the config schema accepts', () => {
    const [example] = yamlBlocks(section('Alerting'));
    const parsed = configSchema.safeParse(parse(example ?? ''));
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data?.alerts.map((a) => a.type)).toEqual(['alertmanager', 'slack', 'webhook']);
  });

  it.skipIf(skipUnlessPresent(amtool))(
    'has a complete Alertmanager route and receiver example that amtool accepts',
    () => {
      const blocks = yamlBlocks(section('Alerting'));
      const example = blocks.find((b) => b.includes('receivers:'));
      expect(example).toContain('send_resolved: true');
      expect(example).toMatch(/resolve_timeout: 5m/);
      const dir = mkdtempSync(path.join(tmpdir(), 'npa-amtool-'));
      try {
        const file = path.join(dir, 'alertmanager.yml');
        writeFileSync(file, example ?? '');
        const result = spawnSync(requirePath(amtool), ['check-config', file], {
          encoding: 'utf8',
          timeout: 30_000,
        });
        expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
        expect(result.status).toBe(0);
        // The check is not vacuous: a route to an undefined receiver fails.
        writeFileSync(file, (example ?? '').replace('receiver: security', 'receiver: nobody'));
        expect(spawnSync(requirePath(amtool), ['check-config', file], { encoding: 'utf8' }).status).not.toBe(
          0,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
