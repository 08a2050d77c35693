// Staged (shadow mode): per namespace the active staged set with its readiness (clean for N days,
// paths and connections judged since staging), the paths it would have dropped with their
// evidence, the drift diff against the re-computed proposal, and the stage / re-stage / promote /
// retire buttons (shown only when the token may write), then the history of ended sets.
// GET /api/v1/staged, /api/v1/staged/{id}, /api/v1/staged/{id}/would-drop.
import type { StagedDetailJson, StagedSetJson, WouldDropJson } from '../../api/staged.js';
import { getJson } from '../api.js';
import { h, mount } from '../dom.js';
import { formatCount, formatTime, peerLabel, portLabel } from '../format.js';
import { promoteSet, retireSet, stageNamespace } from '../staged-api.js';
import { STAGE_FLAVORS } from '../../api/constants.js';
import { badge, card, namespaceNames, pageHeader, stat, table, type PageContext } from '../ui.js';
import { namespacePicker } from '../namespace-picker.js';
import { renderYaml } from '../yaml-highlight.js';

const VERDICT_TONE: Readonly<Record<string, 'ok' | 'warn' | 'bad' | 'neutral'>> = {
  ready: 'ok',
  watching: 'neutral',
  'would-break': 'bad',
};
const CHANGE_TONE: Readonly<Record<string, string>> = {
  added: 'ok',
  changed: 'warn',
  removed: 'bad',
  unchanged: 'muted',
};

function days(seconds: number | undefined): string {
  if (seconds === undefined) return '–';
  const d = seconds / 86_400;
  return d >= 1 ? `${Math.floor(d * 10) / 10} days` : `${Math.floor(seconds / 3600)} hours`;
}

type DriftJson = NonNullable<StagedDetailJson['drift']>;

function wouldDropRow(w: WouldDropJson): HTMLTableRowElement {
  const decided = w.decidedBy;
  return h(
    'tr',
    { 'data-testid': 'would-drop-row' },
    h(
      'td',
      { class: 'peer' },
      peerLabel(w.source),
      h('div', { class: 'muted small' }, w.sourcePods.slice(0, 3).join(', ')),
    ),
    h(
      'td',
      { class: 'peer' },
      peerLabel(w.destination),
      h('div', { class: 'muted small' }, w.destinationPods.slice(0, 3).join(', ')),
    ),
    h('td', { class: 'mono' }, portLabel(w.port, w.protocol)),
    h('td', { class: 'num' }, formatCount(w.count)),
    h(
      'td',
      { class: 'time' },
      formatTime(w.firstSeen),
      h('div', { class: 'muted small' }, formatTime(w.lastSeen)),
    ),
    h(
      'td',
      { class: 'small' },
      badge(decided.direction, 'purple'),
      ' ',
      h('span', { class: 'mono' }, decided.policies.join(', ')),
      ' ',
      h('span', { class: 'mono muted', 'data-testid': 'rule-name' }, decided.ruleName),
      h('div', { class: 'muted' }, decided.reason),
    ),
  );
}

function driftBlock(drift: DriftJson, actions: HTMLElement | null): HTMLElement {
  return h(
    'div',
    { class: 'drift', 'data-testid': 'drift' },
    h('h3', null, "Drift: the proposal from today's traffic differs"),
    h(
      'div',
      { class: 'diff' },
      drift.diff.map((e) =>
        h(
          'span',
          { class: 'diff-entry' },
          badge(e.change, CHANGE_TONE[e.change] ?? 'muted'),
          ' ',
          h('span', { class: 'mono small' }, e.policy),
        ),
      ),
    ),
    actions,
    renderYaml(drift.yaml),
  );
}

async function setSection(
  ctx: PageContext,
  summary: StagedSetJson,
  writable: boolean,
  status: HTMLElement,
  refresh: () => void,
): Promise<HTMLElement> {
  const { id, namespace } = summary;
  const [detail, drops] = await Promise.all([
    getJson('/api/v1/staged/{id}', {}, ctx.signal, { id }),
    getJson('/api/v1/staged/{id}/would-drop', { limit: 100 }, ctx.signal, { id }),
  ]);
  const { readiness, traffic } = detail;
  const verdict = readiness.verdict;
  const act = (label: string, run: () => Promise<unknown>, testid: string, primary = false): HTMLElement =>
    h(
      'button',
      {
        class: primary ? 'btn btn-primary' : 'btn',
        type: 'button',
        'data-testid': testid,
        onClick: () => {
          status.textContent = `${label}…`;
          run().then(
            () => {
              status.textContent = `${label}: done`;
              refresh();
            },
            (error: unknown) => {
              status.textContent = `${label} failed: ${error instanceof Error ? error.message : String(error)}`;
            },
          );
        },
      },
      label,
    );
  const flavor = summary.flavor;
  const restage = writable ? act('Re-stage', () => stageNamespace(namespace, flavor), 'restage') : null;
  const drift = detail.drift;
  return h(
    'section',
    {
      class: 'card ns-section',
      'data-namespace': namespace,
      'data-set-id': String(id),
      'data-verdict': verdict,
    },
    h(
      'div',
      { class: 'section-head' },
      h(
        'h2',
        null,
        namespace,
        ' ',
        badge(verdict, VERDICT_TONE[verdict] === 'neutral' ? 'info' : (VERDICT_TONE[verdict] ?? 'muted')),
      ),
      writable
        ? h(
            'div',
            { class: 'actions' },
            act('Promote', () => promoteSet(id), 'promote', verdict === 'ready'),
            act('Retire', () => retireSet(id), 'retire'),
          )
        : null,
    ),
    h(
      'p',
      { class: 'muted' },
      readiness.reason,
      `. Staged ${formatTime(detail.stagedAt)} by ${detail.stagedBy}; ${flavor} policies: ${detail.policyNames.join(', ')}.`,
    ),
    h(
      'div',
      { class: 'stats' },
      stat('Clean for', days(readiness.cleanForSeconds), VERDICT_TONE[verdict] ?? 'neutral'),
      stat('Paths judged since staging', formatCount(traffic.paths)),
      stat('Connections judged', formatCount(traffic.connections)),
      stat(
        'Would-drop paths',
        formatCount(traffic.wouldDropPaths),
        traffic.wouldDropPaths > 0 ? 'bad' : 'ok',
      ),
    ),
    traffic.unevaluated > 0
      ? h(
          'p',
          { class: 'muted small' },
          `${formatCount(traffic.unevaluated)} connections could not be judged (ICMP or unnamed endpoints): they are not counted as clean.`,
        )
      : null,
    h('h3', null, 'Would have been dropped'),
    table(
      ['Source', 'Destination', 'Port', 'Conns', 'First / last seen', 'Decided by'],
      drops.items.map(wouldDropRow),
      'Nothing it would have dropped since staging.',
    ),
    drift !== null
      ? driftBlock(drift, restage)
      : restage !== null
        ? h('div', { class: 'toolbar' }, restage)
        : null,
  );
}

export async function renderStaged(ctx: PageContext): Promise<void> {
  const [names, list] = await Promise.all([namespaceNames(), getJson('/api/v1/staged', {}, ctx.signal)]);
  const writable = list.canWrite;
  const active = list.items.filter((s) => s.status === 'active');
  const history = list.items.filter((s) => s.status !== 'active');
  const status = h('span', { class: 'muted small', role: 'status', 'data-testid': 'staged-status' });
  const refresh = () => ctx.navigate({ t: String(Date.now()) });
  let chosen: string | undefined = names[0];
  let flavor: string = STAGE_FLAVORS[0];
  const flavorSelect = h(
    'select',
    {
      'aria-label': 'Flavour',
      name: 'flavor',
      'data-testid': 'stage-flavor',
      onChange: () => {
        flavor = flavorSelect.value;
      },
    },
    STAGE_FLAVORS.map((f) => h('option', { value: f, selected: f === flavor }, f)),
  );
  const stageForm = writable
    ? h(
        'div',
        { class: 'toolbar', 'data-testid': 'stage-form' },
        namespacePicker(names, chosen, (ns) => {
          chosen = ns;
        }),
        h('label', { class: 'field' }, h('span', null, 'Flavour'), flavorSelect),
        h(
          'button',
          {
            class: 'btn btn-primary',
            type: 'button',
            'data-testid': 'stage',
            onClick: () => {
              if (chosen === undefined) return;
              status.textContent = 'Staging…';
              stageNamespace(chosen, flavor).then(
                () => {
                  status.textContent = `Staged ${chosen ?? ''}`;
                  refresh();
                },
                (error: unknown) => {
                  status.textContent = `Staging failed: ${error instanceof Error ? error.message : String(error)}`;
                },
              );
            },
          },
          'Stage current recommendation',
        ),
        status,
      )
    : h(
        'p',
        { class: 'muted small', 'data-testid': 'read-only' },
        'Read-only: this token may not stage, promote or retire.',
      );
  const sections = await Promise.all(active.map((s) => setSection(ctx, s, writable, status, refresh)));
  mount(
    ctx.root,
    pageHeader(
      'Staged',
      'Shadow mode: proposed policies judged against live traffic before they are enforced. A set is ready once it has been clean for the configured period on enough traffic.',
    ),
    stageForm,
    sections.length === 0
      ? card(
          null,
          h(
            'p',
            { class: 'empty' },
            "No staged set. Stage a namespace's recommendation to start judging it against live traffic.",
          ),
        )
      : sections,
    card(
      'History',
      table(
        ['Set', 'Namespace', 'Status', 'Staged', 'Ended', 'Verdict then'],
        history.map((s) =>
          h(
            'tr',
            { 'data-testid': 'history-row' },
            h('td', { class: 'num' }, String(s.id)),
            h('td', null, s.namespace),
            h('td', null, badge(s.status, 'muted')),
            h(
              'td',
              { class: 'time' },
              formatTime(s.stagedAt),
              h('div', { class: 'muted small' }, s.stagedBy),
            ),
            h(
              'td',
              { class: 'time' },
              formatTime(s.endedAt),
              h('div', { class: 'muted small' }, s.endedBy ?? ''),
            ),
            h('td', null, s.readiness.verdict),
          ),
        ),
        'No ended sets yet.',
      ),
    ),
  );
}
