// Pure: a doctor report as text, one line per check (status, environment, name, detail, fix), then a count.
import type { DoctorReport } from './DoctorCheck';

const LABELS = { ok: 'ok', fail: 'FAIL', skip: 'skip' } as const;

export function formatDoctorReport(report: DoctorReport): string {
  const width = Math.max(3, ...report.checks.map((c) => (c.environment ?? '').length));
  const lines = report.checks.map((c) => {
    const fix = c.fix ? ` -- fix: ${c.fix}` : '';
    return `${LABELS[c.status].padEnd(4)}  ${(c.environment ?? 'app').padEnd(width)}  ${c.name}: ${c.detail}${fix}`;
  });
  const count = (status: keyof typeof LABELS): number =>
    report.checks.filter((c) => c.status === status).length;
  lines.push(
    `doctor: ${count('ok')} ok, ${count('fail')} failed, ${count('skip')} skipped` +
      (report.ok ? '' : ' (each failed line ends with its fix)'),
  );
  return lines.join('\n');
}
