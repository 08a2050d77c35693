// Loads a cluster snapshot (`--cluster PATH…`): a `kubectl get … -o json|yaml` List, a file of
// multi-document YAML manifests, or a directory of them (*.json, *.yaml, *.yml, recursively,
// in name order). Translates files into objects and hands them to the pure parser; every
// problem names the file and the object.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ClusterSnapshot } from '../policy/model.js';
import { formatProblem, parseSourcedObjects, type SourcedObject } from '../policy/parse-objects.js';
import { parseYamlDocuments } from '../policy/yaml-documents.js';

export const MAX_SNAPSHOT_FILE_BYTES = 256 * 1024 * 1024;
const MAX_FILES = 10_000;
const MANIFEST = /\.(json|ya?ml)$/i;

export type SnapshotLoadResult =
  /** `objects`: every API object read, raw (for readers of kinds the snapshot model leaves out). */
  | { readonly ok: true; readonly snapshot: ClusterSnapshot; readonly objects: readonly unknown[] }
  | { readonly ok: false; readonly problems: readonly string[] };

export async function listFiles(target: string, out: string[], problems: string[]): Promise<void> {
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    problems.push(
      `${target}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(error)}`,
    );
    return;
  }
  if (!info.isDirectory()) {
    out.push(target);
    return;
  }
  const entries = (await readdir(target, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  for (const entry of entries) {
    if (out.length >= MAX_FILES) {
      problems.push(`${target}: more than ${MAX_FILES} files`);
      return;
    }
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) await listFiles(full, out, problems);
    else if (entry.isFile() && MANIFEST.test(entry.name)) out.push(full);
  }
}

/** Reads one file into documents; JSON through JSON.parse (fast for big Lists), else YAML. */
export async function readManifestFile(
  file: string,
): Promise<{ objects: SourcedObject[]; problems: string[] }> {
  const info = await stat(file);
  if (info.size > MAX_SNAPSHOT_FILE_BYTES)
    return { objects: [], problems: [`${file}: larger than ${MAX_SNAPSHOT_FILE_BYTES} bytes`] };
  const text = await readFile(file, 'utf8');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(text);
      const values = Array.isArray(value) ? (value as unknown[]) : [value];
      return { objects: values.map((object) => ({ origin: file, object })), problems: [] };
    } catch (error) {
      if (/\.json$/i.test(file))
        return {
          objects: [],
          problems: [`${file}: invalid JSON: ${error instanceof Error ? error.message : String(error)}`],
        };
    }
  }
  // YAML with the core schema only (yaml-documents.ts): `!!binary` and friends are problems.
  const parsed = parseYamlDocuments(text);
  const single =
    parsed.values.length === 1 && parsed.problems.length === 0 && parsed.values[0]?.document === 1;
  const objects: SourcedObject[] = parsed.values.map(({ document, value }) => ({
    origin: single ? file : `${file} (document ${document})`,
    object: value,
  }));
  const problems = parsed.problems.map(
    (p) =>
      `${file}${p.line !== undefined ? `:${p.line}` : ''}: invalid YAML (document ${p.document}): ${p.message.replace(/^not valid YAML: /, '')}`,
  );
  return { objects, problems };
}

/** Loads every path (files or directories) into one snapshot, or lists every problem. */
export async function loadClusterSnapshot(paths: readonly string[]): Promise<SnapshotLoadResult> {
  const files: string[] = [];
  const problems: string[] = [];
  for (const target of paths) await listFiles(target, files, problems);
  const objects: SourcedObject[] = [];
  for (const file of files) {
    try {
      const read = await readManifestFile(file);
      objects.push(...read.objects);
      problems.push(...read.problems);
    } catch (error) {
      problems.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const parsed = parseSourcedObjects(objects);
  problems.push(...parsed.problems.map(formatProblem));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, snapshot: parsed.snapshot, objects: objects.map((o) => o.object) };
}
