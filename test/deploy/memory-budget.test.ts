// The shipped manifests' memory adds up: for each overlay as `kubectl kustomize` renders it (parsed
// as YAML), the main thread's --max-old-space-size (the Deployment's NODE_OPTIONS), the analysis
// worker's heap limit and the body caches (the ConfigMap's config.yaml through the config loader,
// defaults included) and the reserve for the rest fit in the container's memory limit
// (src/config/memory-budget.ts). Before, 384 + 192 + 64 MiB of bounded parts alone passed 512.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { maxOldSpaceMb, memoryNeededMiB, quantityMiB } from '../../src/config/memory-budget.js';
import { skipWhenMissing } from '../ci-tools.js';
import { findObject, hasKubectl, isRecord, kubectl, overlays, renderOverlay } from './render.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'netpol-memory-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const skip = skipWhenMissing(
  hasKubectl(),
  `"${kubectl}" (kubectl, for kustomize; .ci/run installs Debian's kubernetes-client)`,
);

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  resources?: { limits?: { memory?: string } };
}

describe('memory budget helpers', () => {
  it('reads quantities and NODE_OPTIONS', () => {
    expect(quantityMiB('512Mi')).toBe(512);
    expect(quantityMiB('1Gi')).toBe(1024);
    expect(quantityMiB('536870912')).toBe(512);
    expect(quantityMiB('lots')).toBeUndefined();
    expect(maxOldSpaceMb('--enable-source-maps --max-old-space-size=160')).toBe(160);
    expect(maxOldSpaceMb('--max-old-space-size=1600x')).toBeUndefined();
    expect(memoryNeededMiB({ mainHeapMb: 384, workerHeapMb: 192, bodyCacheBytes: 64 * 1024 * 1024 })).toBe(
      736,
    );
  });
});

describe.skipIf(skip).each(overlays)('deploy/overlays/%s memory', (overlay) => {
  const objects = renderOverlay(overlay);

  it("the heaps, the body caches and the reserve fit in the container's memory limit", () => {
    const deployment = findObject(objects, 'Deployment', 'netpol-advisor');
    const spec = deployment['spec'];
    const containers = (
      isRecord(spec) && isRecord(spec['template']) && isRecord(spec['template']['spec'])
        ? spec['template']['spec']['containers']
        : undefined
    ) as Container[] | undefined;
    const container = containers?.find((c) => c.name === 'netpol-advisor');
    const limitMiB = quantityMiB(container?.resources?.limits?.memory ?? '');
    const nodeOptions = container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
    const mainHeapMb = maxOldSpaceMb(nodeOptions);
    expect(limitMiB, 'the container has a memory limit').toBeDefined();
    expect(mainHeapMb, 'NODE_OPTIONS sets --max-old-space-size').toBeDefined();

    const configMap = findObject(objects, 'ConfigMap');
    const data = configMap['data'];
    const file = path.join(scratch, `${overlay}.yaml`);
    writeFileSync(file, isRecord(data) && typeof data['config.yaml'] === 'string' ? data['config.yaml'] : '');
    const loaded = loadConfig({ file, env: {} });
    expect(loaded.ok ? [] : loaded.problems).toEqual([]);
    if (!loaded.ok || limitMiB === undefined || mainHeapMb === undefined) return;
    const needed = memoryNeededMiB({
      mainHeapMb,
      workerHeapMb: loaded.config.limits.analysisHeapMb,
      bodyCacheBytes: loaded.config.limits.bodyCacheBytes,
    });
    expect(needed).toBeLessThanOrEqual(limitMiB);
    // And not far under it: the heaps are what the daemon may use.
    expect(needed).toBeGreaterThan(limitMiB * 0.9);
  });
});
