// Pure: a stage's deploy policies on the pages (orchestrations/applyPolicies.ts runs them): the wait timer and
// until when, the change window and when it opens or closes, each external check's state and last words. The
// status page shows them as rows of the stage's detail and a line on its box; the approval page says what
// will still hold the deploy once it is approved. Everything is escaped: a check's message is another
// system's text.
import type { StageStatus } from '../release/ReleaseStatus';
import type { ExternalCheckState, StagePolicies } from '../release/StagePolicies';
import { formatDuration, formatUtc } from './format';
import { escapeHtml } from './html';

const CHECK_LABELS: Record<ExternalCheckState, string> = {
  pending: 'not asked yet',
  passed: 'passed',
  failing: 'failing',
  failed: 'failed',
};

/** Rows of the stage's detail on the status page, one per policy and per external check. */
export function policyRows(policies: StagePolicies | undefined, now: Date): Array<[string, string]> {
  if (!policies) return [];
  const rows: Array<[string, string]> = [];
  const { wait, window, externalChecks } = policies;
  if (wait) {
    const state = wait.passed ? 'over' : `until ${at(wait.until, now)}`;
    rows.push(['Wait timer', `${escapeHtml(`${wait.minutes} min after the previous stage`)} · ${state}`]);
  }
  if (window)
    rows.push(['Change window', `<code>${escapeHtml(window.text)}</code> · ${windowState(window, now)}`]);
  for (const check of externalChecks?.checks ?? []) {
    const parts = [
      `<span class="check check-${escapeHtml(check.state)}">${escapeHtml(CHECK_LABELS[check.state])}</span>`,
    ];
    if (check.attempts > 0)
      parts.push(escapeHtml(`asked ${check.attempts}×, last ${formatUtc(check.checkedAt ?? '')}`));
    if (check.message) parts.push(`<span class="message">${escapeHtml(check.message)}</span>`);
    if (check.state === 'failing' && externalChecks?.nextAt)
      parts.push(`asked again ${at(externalChecks.nextAt, now)}`);
    rows.push([`External check ${check.name}`, parts.join(' · ')]);
  }
  if (
    externalChecks?.deadline &&
    externalChecks.checks.some((c) => c.state === 'failing' || c.state === 'pending')
  ) {
    rows.push(['Checks must pass by', at(externalChecks.deadline, now)]);
  }
  return rows;
}

/** What holds the stage, in a few words for its box on the status page; undefined when nothing does. */
export function policyHold(stage: StageStatus, now: Date): string | undefined {
  const policies = stage.policies;
  if (stage.state !== 'holding' || !policies) return undefined;
  if (policies.wait && !policies.wait.passed) return `wait timer until ${at(policies.wait.until, now)}`;
  if (policies.window && !policies.window.open && policies.window.opensAt) {
    return `window opens at ${at(policies.window.opensAt, now)}`;
  }
  const failing = (policies.externalChecks?.checks ?? []).filter((c) => c.state !== 'passed');
  if (failing.length === 0) return undefined;
  return failing
    .map(
      (c) =>
        `check ${escapeHtml(c.name)} ${escapeHtml(CHECK_LABELS[c.state])}${c.message ? `: ${escapeHtml(c.message)}` : ''}`,
    )
    .join('; ');
}

/**
 * For the approval page: what still holds the deploy once approved (the change window, the external checks),
 * or nothing when the environment has neither.
 */
export function renderDeployPolicies(policies: StagePolicies | undefined, now: Date): string {
  const items: string[] = [];
  const window = policies?.window;
  if (window) {
    items.push(
      `<li>Change window <code>${escapeHtml(window.text)}</code>: ${windowState(window, now)}. An approved deploy starts inside a window; one that runs when the window closes is finished.</li>`,
    );
  }
  const checks = policies?.externalChecks?.checks ?? [];
  if (checks.length > 0) {
    const names = checks.map((c) => `<code>${escapeHtml(c.name)}</code>`).join(', ');
    items.push(`<li>External checks must pass before the apply: ${names}.</li>`);
  }
  if (items.length === 0) return '';
  return `<section class="notice" id="policies"><h2>After approval</h2><ul>${items.join('')}</ul></section>`;
}

function windowState(window: NonNullable<StagePolicies['window']>, now: Date): string {
  if (window.open && window.closesAt) return `open until ${at(window.closesAt, now)}`;
  if (!window.open && window.opensAt) return `closed; opens at ${at(window.opensAt, now)}`;
  return window.open ? 'open' : 'closed';
}

/** `2026-12-07 18:00:00 UTC (in 3 h 10 min)`, escaped. */
function at(time: string, now: Date): string {
  const left = Date.parse(time) - now.getTime();
  return escapeHtml(`${formatUtc(time)}${left > 0 ? ` (in ${formatDuration(left)})` : ''}`);
}
