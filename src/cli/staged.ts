// `netpol-advisor staged list|add|show|would-drop|promote|remove`: shadow mode against the
// database, with the API's semantics (routes/staged.ts) and JSON shapes (staged/set-view.ts).
// The running daemon picks up a set staged here at its next batch (it re-reads the active sets).
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { DAY_MS, DEFAULT_READINESS, readinessOf, type ReadinessOptions } from '../staged/readiness.js';
import { promotedFiles, promotedYaml } from '../staged/promote-export.js';
import { stagedSetJson, wouldDropJson, wouldDropLine, type StagedSetJson } from '../staged/set-view.js';
import { InvalidCursorError, StagedSetNotActiveError, StagedStore } from '../store/staged-store.js';
import { defaultDbPath, parseCommandArgs, parseIntegerOption, UsageError } from './args.js';
import type { Command } from './main.js';
import { openExistingStore } from './recommend.js';
import { addStagedSet } from './staged-add.js';

const HELP = `usage: netpol-advisor staged <list|add|show|would-drop|promote|remove> [--db FILE] [--json] …

Shadow mode: a namespace's proposed policies staged in the database and judged against every new
connection the daemon stores, until they have been clean long enough to enforce.

  staged list [--namespace NS] [--status active|superseded|promoted|retired|all]
  staged add --namespace NS [--flavor k8s|cilium|calico] [--policies PATH…] [--cluster SNAPSHOT…]
        stage the given manifests of one flavour (NetworkPolicy, CiliumNetworkPolicy, Calico
        projectcalico.org/v3 NetworkPolicy), or the current recommendation for NS in the flavour
        (default k8s); supersedes the namespace's active set, which is kept as history
  staged show ID                      one set: readiness, traffic since staging, its policies
  staged would-drop ID [--limit N] [--cursor C]
                                      the paths it would have dropped since staging
  staged promote ID [--out DIR]       mark it promoted; its policies as YAML on stdout, or the
                                      kustomize folder in DIR
  staged remove ID                    retire it (kept as history)

options:
  --db FILE              the database (default $NETPOL_ADVISOR_DB or ./netpol-advisor.db)
  --clean-days N         readiness: days a set must have been clean (default 7)
  --min-connections N    readiness: connections judged before ready (default 100)
  --json                 JSON output (the API's shapes)
  -h, --help             this help

Exit status: 0 done, 1 runtime failure, 2 bad usage or input (unknown ID, set not active).
`;

const SUBCOMMANDS = new Set(['list', 'add', 'show', 'would-drop', 'promote', 'remove']);

function identity(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function idOf(positionals: readonly string[]): number {
  const text = positionals[1];
  if (text === undefined) throw new UsageError('ID: the staged set id is required');
  if (!/^[1-9]\d{0,14}$/.test(text))
    throw new UsageError(`ID: expected a staged set id (a positive integer), got "${text.slice(0, 40)}"`);
  return Number(text);
}

function summaryLine(set: StagedSetJson): string {
  return `${set.id}\t${set.namespace}\t${set.status}\t${set.readiness.verdict}\tpaths=${set.traffic.paths} connections=${set.traffic.connections} would-drop=${set.traffic.wouldDropPaths}\tstaged ${set.stagedAt} by ${set.stagedBy}`.replace(
    /\p{Cc}/gu,
    '?',
  );
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      db: { type: 'string' },
      json: { type: 'boolean' },
      namespace: { type: 'string' },
      status: { type: 'string' },
      policies: { type: 'string', multiple: true },
      flavor: { type: 'string' },
      cluster: { type: 'string', multiple: true },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      out: { type: 'string' },
      'clean-days': { type: 'string' },
      'min-connections': { type: 'string' },
    },
    true,
  );
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const sub = positionals[0];
  if (sub === undefined || !SUBCOMMANDS.has(sub))
    throw new UsageError(
      `expected one of ${[...SUBCOMMANDS].join(', ')}${sub !== undefined ? `, got "${sub.slice(0, 40)}"` : ''}`,
    );
  const readiness: ReadinessOptions = {
    ...DEFAULT_READINESS,
    ...(values['clean-days'] !== undefined
      ? { cleanPeriodMs: parseIntegerOption('clean-days', values['clean-days'], 0, 365) * DAY_MS }
      : {}),
    ...(values['min-connections'] !== undefined
      ? { minConnections: parseIntegerOption('min-connections', values['min-connections'], 0, 1_000_000_000) }
      : {}),
  };
  const json = values.json === true;
  const out = (value: unknown, text: string) =>
    process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
  const db = values.db ?? defaultDbPath();
  const flows = await openExistingStore(db);
  flows.close();
  const store = new StagedStore(db, { mustExist: true });
  const now = Date.now();
  try {
    const view = (id: number) => {
      const set = store.get(id);
      if (set === undefined) throw new UsageError(`ID: no staged set ${id} in ${db}`);
      return set;
    };
    if (sub === 'list') {
      const status = values.status ?? 'all';
      if (!['active', 'superseded', 'promoted', 'retired', 'all'].includes(status))
        throw new UsageError(
          `--status: expected active, superseded, promoted, retired or all, got "${status.slice(0, 40)}"`,
        );
      const items = store
        .list()
        .filter(
          (s) =>
            (status === 'all' || s.status === status) &&
            (values.namespace === undefined || s.namespace === values.namespace),
        )
        .map((set) => stagedSetJson(set, store.traffic(set.id), readiness, now));
      out(items, items.length === 0 ? 'no staged sets' : items.map(summaryLine).join('\n'));
      return 0;
    }
    if (sub === 'add') {
      const set = await addStagedSet(store, {
        db,
        namespace: values.namespace,
        flavor: values.flavor,
        policies: values.policies,
        cluster: values.cluster,
        by: identity(),
        nowMs: now,
      });
      const shown = stagedSetJson(set, store.traffic(set.id), readiness, now);
      out(
        shown,
        `staged set ${set.id} for ${set.namespace} (${set.flavor}): ${set.policies.length} policies (${shown.policyNames.join(', ')})`,
      );
      return 0;
    }
    const id = idOf(positionals);
    if (sub === 'show') {
      const set = view(id);
      const shown = { ...stagedSetJson(set, store.traffic(id), readiness, now), policies: set.policies };
      out(
        shown,
        [
          summaryLine(shown),
          `readiness: ${shown.readiness.verdict}: ${shown.readiness.reason}`,
          promotedYaml(set).trimEnd(),
        ].join('\n'),
      );
      return 0;
    }
    if (sub === 'would-drop') {
      view(id);
      const limit = values.limit !== undefined ? parseIntegerOption('limit', values.limit, 1, 10_000) : 1000;
      let page;
      try {
        page = store.wouldDrops(id, limit, values.cursor);
      } catch (error) {
        if (error instanceof InvalidCursorError)
          throw new UsageError('--cursor: is not a cursor from this database');
        throw error;
      }
      out(
        { items: page.items.map(wouldDropJson), nextCursor: page.nextCursor },
        page.items.length === 0
          ? 'no would-drop paths'
          : [
              ...page.items.map(wouldDropLine),
              ...(page.nextCursor !== null ? [`more: --cursor ${page.nextCursor}`] : []),
            ].join('\n'),
      );
      return 0;
    }
    view(id);
    let ended;
    try {
      ended = store.end(id, sub === 'promote' ? 'promoted' : 'retired', identity(), now);
    } catch (error) {
      if (error instanceof StagedSetNotActiveError) throw new UsageError(`ID: ${error.message}`);
      throw error;
    }
    const shown = stagedSetJson(ended, store.traffic(id), readiness, now);
    if (sub === 'promote') {
      if (values.out !== undefined) {
        mkdirSync(values.out, { recursive: true });
        const files = promotedFiles(ended, readinessOf(ended, store.traffic(id), readiness, now).reason);
        for (const [name, text] of files) writeFileSync(path.join(values.out, name), text);
        out(
          { ...shown, files: [...files.keys()] },
          `promoted staged set ${id}: wrote ${[...files.keys()].join(', ')} to ${values.out}`,
        );
      } else {
        out({ ...shown, yaml: promotedYaml(ended) }, promotedYaml(ended).trimEnd());
      }
      return 0;
    }
    out(shown, `retired staged set ${id} (${ended.namespace})`);
    return 0;
  } finally {
    store.close();
  }
}

export const stagedCommand: Command = {
  summary: 'shadow mode: staged proposals judged against live traffic',
  run,
};
