// The human report of `doctor`: findings grouped by severity, each with its objects, evidence and
// fix (policy names, or the text). The fix objects themselves are in `--json`.
import { clean } from './context.js';
import { SEVERITIES, policyId, type Finding } from './types.js';

export function formatReport(findings: readonly Finding[]): string {
  if (findings.length === 0)
    return 'no findings: nothing blocked, nothing allowed despite a deny, no policy hygiene issue\n';
  const lines: string[] = [];
  for (const severity of SEVERITIES) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(`== ${severity.toUpperCase()} (${group.length}) ==`);
    for (const finding of group) {
      lines.push(
        `[${finding.kind}] ${finding.namespace === '' ? '' : `${clean(finding.namespace)}: `}${clean(finding.summary)}`,
      );
      if (finding.objects.length > 0)
        lines.push(`  objects: ${finding.objects.map((o) => clean(o)).join(', ')}`);
      for (const line of finding.evidence) lines.push(`  - ${clean(line)}`);
      const fix =
        typeof finding.fix === 'string'
          ? clean(finding.fix)
          : `apply ${finding.fix
              .map(policyId)
              .map((id) => clean(id))
              .join(', ')} (objects in --json)`;
      lines.push(`  fix: ${fix}`);
      if (finding.fixNote !== undefined) lines.push(`  note: ${clean(finding.fixNote)}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
