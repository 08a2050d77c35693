// `recommend --out DIR` written as the recommender proposes each namespace, so the whole cluster's
// rule evidence and YAML are never held at once: each namespace's file goes to a staging folder
// inside DIR as soon as it is complete, and the recommendation keeps of it only what the proof and
// the folder's index (kustomization.yaml, verify.sh, README.md) read: the policies without their
// rule evidence, the tests, the warnings. The staged files move into DIR only after the proof has
// passed; a refused proposal (or any failure) removes them and whatever folders the run created, so
// DIR ends as it would have without the staging.
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { NamespaceRecommendation, ProposedPolicy } from '../recommend/proposal.js';
import { namespaceFileEntry, objectsOf, type ExportOptions } from '../recommend/export.js';
import type { NamespaceSink } from '../recommend/recommend.js';

const NO_RULES: ProposedPolicy['rules'] = Object.freeze([]);

export class StagedFolder {
  /** cilium/calico: the emitted objects, for the proof (it replays what is written). */
  readonly emitted: Record<string, unknown>[] = [];
  /** Staged file names in the order the folder gets them (a later namespace of the same file name wins). */
  private readonly files: string[] = [];

  private constructor(
    readonly dir: string,
    private readonly staging: string,
    /** The outermost folder this run created (undefined: DIR existed). */
    private readonly created: string | undefined,
    private readonly options: ExportOptions,
  ) {}

  static async open(dir: string, options: ExportOptions): Promise<StagedFolder> {
    const created = await mkdir(dir, { recursive: true });
    const staging = await mkdtemp(path.join(dir, '.netpol-advisor-staging-'));
    return new StagedFolder(dir, staging, created, options);
  }

  /** The recommender's sink: writes the namespace's file now and keeps a proposal without rule evidence. */
  readonly sink: NamespaceSink = (ns: NamespaceRecommendation): NamespaceRecommendation => {
    const objects = objectsOf(ns, this.options);
    const [name, content] = namespaceFileEntry(ns, this.options, objects);
    writeFileSync(path.join(this.staging, name), content);
    this.files.push(name);
    if (this.options.flavor !== 'k8s') for (const o of objects) this.emitted.push({ ...o.object });
    // The policies stay (the k8s proof compiles them; README.md names them), their evidence goes.
    return {
      ...ns,
      policies: ns.policies.map((p) => (p.rules.length === 0 ? p : { ...p, rules: NO_RULES })),
    };
  };

  /** Moves the namespace files into DIR (in the order they were proposed) and removes the staging folder. */
  async commit(): Promise<void> {
    for (const name of new Set(this.files))
      await rename(path.join(this.staging, name), path.join(this.dir, name));
    await rmdir(this.staging);
  }

  /** Removes the staged files and the folders this run created (only while they are empty of anything else). */
  async discard(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
    if (this.created === undefined) return;
    for (let folder = this.dir; ; folder = path.dirname(folder)) {
      if ((await readdir(folder).catch(() => ['?'])).length > 0) return;
      await rmdir(folder).catch(() => undefined);
      if (folder === this.created || path.dirname(folder) === folder) return;
    }
  }
}
