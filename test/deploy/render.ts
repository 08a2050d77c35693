// Renders the kustomize overlays in deploy/ with the real `kubectl kustomize` (KUBECTL chooses the
// binary; Debian's kubernetes-client 1.20 embeds kustomize v2.0.3, recent kubectl embeds v5) and
// parses the output into plain objects for the manifest tests.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const kubectl = process.env['KUBECTL'] ?? 'kubectl';
export const overlays = ['cilium', 'calico'] as const;
export type Overlay = (typeof overlays)[number];

export type KubeObject = Record<string, unknown> & {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
};

/** Whether `kubectl` runs here; the tests skip (saying so) when it does not. */
export function hasKubectl(): boolean {
  const result = spawnSync(kubectl, ['version', '--client'], { encoding: 'utf8', timeout: 30_000 });
  return result.status === 0;
}

export function renderOverlay(overlay: Overlay): KubeObject[] {
  const dir = path.join(repoRoot, 'deploy', 'overlays', overlay);
  const result = spawnSync(kubectl, ['kustomize', dir], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `${kubectl} kustomize ${dir} failed (status ${String(result.status)}): ${result.stderr || String(result.error)}`,
    );
  }
  return parseManifests(result.stdout, `kustomize ${overlay}`);
}

export function parseManifests(text: string, origin: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${origin}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value)) throw new Error(`${origin}: a document without apiVersion/kind/metadata.name`);
    objects.push(value);
  }
  return objects;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isKubeObject(value: unknown): value is KubeObject {
  return (
    isRecord(value) &&
    typeof value['apiVersion'] === 'string' &&
    typeof value['kind'] === 'string' &&
    isRecord(value['metadata']) &&
    typeof value['metadata']['name'] === 'string'
  );
}

export function findObject(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1)
    throw new Error(
      `expected exactly one ${kind}${name !== undefined ? ` ${name}` : ''}, found ${found.length}`,
    );
  return found[0] as KubeObject;
}
