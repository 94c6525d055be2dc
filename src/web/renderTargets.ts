// Pure: the workspaces of a ring (BRICKLANE_<ENV>_TARGETS) on the status page, one row per target, canary first:
// its key, state, plan counts, outcome, time, checks and message, and on the approval page the plan of each
// target, which one approval covers. Every value is escaped; check run pages go through checkRows (https only).
// After a failed ring with manual rollback, each target that may be put back has its rollback link on its row.
import { RESOURCE_KINDS } from '../manifest/Bundle';
import type { DeployPlan } from '../planning/DeployPlan';
import { countsOf } from '../release/compactStatus';
import type { PlanCounts, TargetStatus } from '../release/ReleaseStatus';
import { formatDuration, KIND_LABELS } from './format';
import { escapeHtml, stateBadge } from './html';
import { checkRows } from './renderChecks';
import type { RollbackLinkOffer } from './renderRollbackPage';

/**
 * The ring's table on a stage of the status page; '' for a stage that is one workspace. `rollbacks`: the manual
 * rollback links offered (functions/rollbackLink.ts, offerRollback), each shown on its target's row.
 */
export function renderTargets(
  targets: readonly TargetStatus[] | undefined,
  now: Date,
  rollbacks: readonly RollbackLinkOffer[] = [],
): string {
  if (!targets || targets.length === 0) return '';
  const rows = targets.map((target, index) => {
    const rollback = rollbacks.find((r) => r.environment === target.target);
    const notes = [
      ...(target.outcome
        ? [
            `${target.outcome.done} done, ${target.outcome.failed} failed, ${target.outcome.skipped} skipped`,
          ].map(escapeHtml)
        : []),
      ...checkRows(target.checks, now).map(([name, value]) => `${escapeHtml(name)}: ${value}`),
      ...(target.message ? [`<span class="message">${escapeHtml(target.message)}</span>`] : []),
      ...(target.fix ? [`<code class="fix">${escapeHtml(target.fix)}</code>`] : []),
      ...(rollback
        ? [
            `<a class="action" href="${escapeHtml(rollback.url)}">Roll back ${escapeHtml(target.target)}…</a> ` +
              `to bundle <code>${escapeHtml(rollback.knownGood.bundleId)}</code>`,
          ]
        : []),
    ];
    return [
      `<tr id="target-${escapeHtml(target.target)}">`,
      `<td><code>${escapeHtml(target.target)}</code>${index === 0 ? ' <small>canary</small>' : ''}</td>`,
      `<td>${stateBadge(target.state)}</td>`,
      `<td>${escapeHtml(describeCounts(target.plan))}</td>`,
      `<td>${escapeHtml(describeTime(target, now))}</td>`,
      `<td>${notes.join('<br>')}</td>`,
      '</tr>',
    ].join('');
  });
  return [
    `<h4>Workspaces (${targets.length}, canary first)</h4>`,
    '<table class="targets"><thead><tr><th>Target</th><th>State</th><th>Plan</th><th>Time</th><th>Outcome</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table>`,
  ].join('\n');
}

/**
 * The approval page's plan per target: what the one approval lets apply in each workspace, counts per kind and the
 * names of what changes (the first few per target; the full plans are stored per target).
 */
export function renderTargetPlans(plans: readonly TargetPlan[]): string {
  if (plans.length === 0) return '';
  const sections = plans.map(({ target, plan, deployed }, index) => {
    if (deployed)
      return [
        `<section class="target-plan" id="plan-${escapeHtml(target)}">`,
        `<h3><code>${escapeHtml(target)}</code></h3>`,
        '<p>deployed in this release after an earlier approval; not part of this decision</p>',
        '</section>',
      ].join('\n');
    const changes = (plan?.steps ?? []).filter((s) => s.action !== 'unchanged');
    const items = changes
      .slice(0, SHOWN_CHANGES)
      .map((s) => `<li>${escapeHtml(s.action)} <code>${escapeHtml(s.key)}</code></li>`);
    const more =
      changes.length > SHOWN_CHANGES ? `<li>… and ${changes.length - SHOWN_CHANGES} more</li>` : '';
    return [
      `<section class="target-plan" id="plan-${escapeHtml(target)}">`,
      `<h3><code>${escapeHtml(target)}</code>${index === 0 ? ' <small>canary: deploys and runs its checks first</small>' : ''}</h3>`,
      plan
        ? `<p>${escapeHtml(describeCounts(plan.summary))}</p>${items.length > 0 ? `<ul>${items.join('')}${more}</ul>` : ''}`
        : '<p>plan not available</p>',
      '</section>',
    ].join('\n');
  });
  return [`<h2>Plan per workspace (${plans.length})</h2>`, ...sections].join('\n');
}

/** A ring target's stored plan on the approval page; `deployed`: it deployed in an earlier round of the release. */
export interface TargetPlan {
  target: string;
  plan: DeployPlan | undefined;
  deployed?: boolean;
}

/** Changes listed per target on the approval page. */
const SHOWN_CHANGES = 20;

/** "notebooks: 2 create, 1 update; jobs: 1 create", or "no changes". */
function describeCounts(counts: PlanCounts | undefined): string {
  if (!counts) return '';
  const parts = RESOURCE_KINDS.flatMap((kind) => {
    const c = countsOf(counts, kind);
    const actions = (['create', 'update', 'delete', 'drift'] as const)
      .filter((a) => c[a] > 0)
      .map((a) => `${c[a]} ${a}`);
    if (c.adopt) actions.push(`${c.adopt} adopt`);
    return actions.length > 0 ? [`${KIND_LABELS[kind].toLowerCase()}: ${actions.join(', ')}`] : [];
  });
  return parts.length > 0 ? parts.join('; ') : 'no changes';
}

function describeTime(target: TargetStatus, now: Date): string {
  if (!target.startedAt) return '';
  const end = target.finishedAt ? Date.parse(target.finishedAt) : now.getTime();
  const ms = end - Date.parse(target.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? formatDuration(ms) : '';
}
