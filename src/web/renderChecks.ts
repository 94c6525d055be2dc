// Pure: a stage's check runs as rows of its detail on the status page: each run's job, state, duration and
// run page. The run page URL comes from the workspace (runs/get `run_page_url`), so it is escaped and linked
// only when it is an https URL: any other scheme (javascript:, data:, http:) shows as text.
import type { CheckStatus } from '../release/ReleaseStatus';
import { formatDuration } from './format';
import { escapeHtml } from './html';

const LABELS: Record<CheckStatus['state'], string> = {
  pending: 'pending',
  running: 'running',
  succeeded: 'passed',
  failed: 'failed',
  timedout: 'timed out',
  canceled: 'cancelled',
  skipped: 'skipped',
};

/** One row per check run: `Check <job>` and what it did, or none when the stage ran no checks. */
export function checkRows(checks: readonly CheckStatus[] | undefined, now: Date): Array<[string, string]> {
  return (checks ?? []).map((check) => {
    const parts = [
      `<span class="check check-${escapeHtml(check.state)}">${escapeHtml(LABELS[check.state])}</span>`,
    ];
    const duration = durationOf(check, now);
    if (duration !== undefined) parts.push(escapeHtml(formatDuration(duration)));
    if (check.url) parts.push(runPage(check.url, check.runId));
    if (check.message) parts.push(`<span class="message">${escapeHtml(check.message)}</span>`);
    return [`Check ${check.job}`, parts.join(' · ')];
  });
}

function durationOf(check: CheckStatus, now: Date): number | undefined {
  if (!check.startedAt) return undefined;
  const end = check.finishedAt ? Date.parse(check.finishedAt) : now.getTime();
  const ms = end - Date.parse(check.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function runPage(url: string, runId: number): string {
  const text = `run ${runId}`;
  return isHttps(url)
    ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${escapeHtml(text)}</a>`
    : `${escapeHtml(text)} (${escapeHtml(url)})`;
}

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
