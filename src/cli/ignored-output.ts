// How `drops` and `doctor` say which policy objects of the snapshot they could not evaluate (the
// verdicts behind their findings leave those out). Text output: one IGNORED line each, after the
// report. With --json the contract's stdout stays the array it is; the list goes to stderr as
// one JSON line `{"ignored": [...]}`.
import { effectivePolicies } from '../policy/effective-policies.js';
import { formatIgnored } from '../policy/ignored-selection.js';
import type { ClusterSnapshot } from '../policy/model.js';

export function writeIgnored(snapshot: ClusterSnapshot | undefined, json: boolean): void {
  if (snapshot === undefined) return;
  const ignored = effectivePolicies(snapshot, false).ignored;
  if (ignored.length === 0) return;
  if (json) {
    process.stderr.write(
      `${JSON.stringify({ ignored: ignored.map(({ appliesTo: _a, ...rest }) => rest) })}\n`,
    );
    return;
  }
  const lines = ignored.map((object) =>
    formatIgnored({ ...object, selectsReplayedPods: 0 }).replace(
      / \((selects no replayed pod|selects no pod)\)$/,
      '',
    ),
  );
  process.stdout.write(
    `\n${ignored.length} policy object(s) could not be evaluated; the findings above leave them out:\n${lines.join('\n')}\n`,
  );
}
