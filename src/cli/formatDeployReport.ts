// Pure: a deploy report as text: created / updated / unchanged per kind, failures, calls and time.
import { RESOURCE_KINDS } from '../manifest/Bundle';
import type { DeployReport } from '../activities/engine/deployBundle';

export function formatDeployReport(report: DeployReport): string {
  const outcomes = report.outcomes ?? [];
  const rows = RESOURCE_KINDS.map((kind) => {
    const mine = outcomes.filter((o) => o.key.startsWith(`${kind}.`) && !o.key.endsWith('#lifecycle'));
    const n = (action: string): number =>
      mine.filter((o) => o.status === 'done' && o.action === action).length;
    const failed = mine.filter((o) => o.status !== 'done').length;
    return `  ${kind.padEnd(12)} ${[n('create'), n('update'), n('unchanged'), n('delete'), failed].map((x) => String(x).padStart(10)).join('')}`;
  });
  const lines = [
    `${report.failed ? 'Deploy FAILED' : 'Deployed'} to ${report.environment} in ${(report.durationInMs / 1000).toFixed(1)} s`,
    `  ${'kind'.padEnd(12)}${['created', 'updated', 'unchanged', 'deleted', 'failed'].map((h) => h.padStart(10)).join('')}`,
    ...rows,
    `  requests: ${report.requests.total} (${report.requests.writes} writes)` +
      (report.ledgerWritten ? '; ledger updated' : '; ledger unchanged'),
  ];
  for (const notice of report.notices ?? []) lines.push(`  note: ${notice}`);
  const problems = outcomes.filter((o) => o.status !== 'done');
  if (problems.length > 0) {
    lines.push('Problems:');
    for (const o of problems) lines.push(`  ✗ ${o.key} (${o.status}): ${o.message ?? ''}`);
    lines.push(
      'Fix the problems and run the deploy again: finished steps are recorded and will not be repeated.',
    );
  }
  return lines.join('\n');
}
