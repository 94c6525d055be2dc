// Pure: the status page of one release: Dev -> QA -> Prod with each stage's
// state, approval, plan (expandable to names), outcome and timings, and where the bundle came from.
// Every value from a bundle or a payload (names, commits, approvers, comments, messages) is escaped.
import {
  describeState,
  formatDuration,
  formatUtc,
  KIND_LABELS,
  MAX_ITEMS_PER_KIND,
  sourceLabel,
} from './format';
import type { KindSummary as Counts, PlanStep, DeployPlan } from '../planning/DeployPlan';
import { countsOf } from '../release/compactStatus';
import { displayName } from '../config/loadSettings';
import { RESOURCE_KINDS, type ResourceKind } from '../manifest/Bundle';
import { escapeHtml, renderCommit, stateBadge } from './html';
import { checkRows } from './renderChecks';
import { renderTargets } from './renderTargets';
import { policyHold, policyRows } from './renderPolicies';
import { approvalPolicyNotes } from './renderApprovalPolicy';
import { type PageTone, statusPageDocument } from './document';
import { renderFieldDiff } from './renderSafetySummary';
import { currentPhase, describeStageTime, renderTimeline } from './renderTimeline';
import type { ReleaseView, StageView } from '../release/releaseView';
import { renderRollbackOffers, type RollbackLinkOffer } from './renderRollbackPage';

export interface StatusPageModel {
  release: ReleaseView;
  /** Full plans by environment (as planEnvironment stored them); without one a stage shows counts only. */
  plans?: Readonly<Record<string, DeployPlan | undefined>>;
  now: Date;
  /**
   * Links to our own routes. None carries the function key (it would land in browser history): a link
   * is a signed view link, or is left out when the viewer could not open it without the key.
   */
  links: { list?: string; json?: string };
  /** The configured Azure DevOps organization, for links to Azure Repos commits. */
  azureReposOrganizationUrl?: string;
  /**
   * A failed environment's manual rollback, when it may be rolled back (functions/rollbackLink.ts): one, or for a
   * ring one per workspace that applied the release (shown on the stage's table too).
   */
  rollbacks?: readonly RollbackLinkOffer[];
  /** Its durable history was purged: the page is the record archived before (functions/purgeHistory.ts). */
  archived?: boolean;
}

// Durable's runtime statuses of a live instance: the page reloads itself until the release ends.
const LIVE = new Set(['Pending', 'Running', 'ContinuedAsNew']);
/**
 * How often the page reloads: every few seconds while something works (a plan, an apply), once a minute
 * while the release waits for a person (an approval can wait for days; a reload every 5 s would only load
 * the app). Either way it stops when the release ends.
 */
export const REFRESH_IN_SECONDS = { working: 5, waitingForAPerson: 60 } as const;
const ACTION_ORDER: Record<PlanStep['action'], number> = {
  create: 0,
  update: 1,
  adopt: 1,
  delete: 2,
  unchanged: 3,
};

export function renderStatusPage(model: StatusPageModel): string {
  const { release, now } = model;
  const live = LIVE.has(release.runtimeStatus);
  const state = release.state ?? release.runtimeStatus.toLowerCase();
  const stages = release.stages ?? [];
  const waitingForAPerson = state === 'waiting' || stages.some((s) => s.state === 'waiting');
  const refreshInSeconds = waitingForAPerson
    ? REFRESH_IN_SECONDS.waitingForAPerson
    : REFRESH_IN_SECONDS.working;
  const body = [
    '<p class="eyebrow">bricklane · release</p>',
    `<h1>Release ${stateBadge(state)}</h1>`,
    `<p><code>${escapeHtml(release.releaseId)}</code></p>`,
    live
      ? `<p class="note refresh">This page refreshes every ${refreshInSeconds} s while the release ${waitingForAPerson ? 'waits for an approver' : 'runs'}.</p>`
      : '',
    renderEnding(release, live),
    model.archived
      ? '<p class="note" data-archived="true">History purged: this release is shown from the record archived before its durable history was purged (<code>BRICKLANE_HISTORY_RETENTION_DAYS</code>); its audit trail keeps every event.</p>'
      : '',
    renderRollbackOffers(model.rollbacks ?? []),
    renderDiagnostics(release),
    stages.length > 0
      ? `<ol class="pipeline" aria-label="Stages in order">${stages
          .map((s) => renderStageBox(s, now))
          .join('<li class="arrow" aria-hidden="true"></li>')}</ol>`
      : '<p class="note">The release has not reported its stages yet.</p>',
    renderTimeline(stages, toIso(release.startedAt ?? release.createdTime), release.finishedAt, now),
    renderRelease(release, now, model.azureReposOrganizationUrl),
    stages.length > 0 ? '<h2>Stages</h2>' : '',
    ...stages.map((s) => renderStageDetail(s, model.plans?.[s.environment], now, model.rollbacks)),
    renderLinks(model.links),
  ].join('\n');
  return statusPageDocument(`Release ${release.releaseId}`, body, {
    tone: pageTone(state),
    ...(live ? { refreshInSeconds } : {}),
  });
}

function renderLinks(links: StatusPageModel['links']): string {
  const items = [
    links.list ? `<a href="${escapeHtml(links.list)}">All releases</a>` : '',
    links.json ? `<a href="${escapeHtml(links.json)}">JSON</a>` : '',
  ].filter(Boolean);
  return items.length > 0 ? `<p class="links">${items.join('')}</p>` : '';
}

function pageTone(state: string): PageTone {
  const tone = describeState(state).tone;
  return tone === 'ok' ? 'ok' : tone === 'bad' ? 'error' : tone === 'stale' ? 'warn' : 'neutral';
}

/** The release's own message, and a warning when the orchestration ended without a final state. */
function renderEnding(release: ReleaseView, live: boolean): string {
  const parts: string[] = [];
  const finalStates = ['succeeded', 'failed', 'invalid', 'rejected', 'expired', 'superseded', 'rolledBack'];
  if (!live && !finalStates.includes(release.state ?? '')) {
    parts.push(
      `<p class="notice">The orchestration is ${escapeHtml(release.runtimeStatus)}; the states below are the ` +
        'last it reported.</p>',
    );
  }
  if (release.message) parts.push(`<p class="notice message">${escapeHtml(release.message)}</p>`);
  if (release.fix) parts.push(`<p class="notice fix">Fix: <code>${escapeHtml(release.fix)}</code></p>`);
  if (release.condensed) {
    parts.push(
      '<p class="note condensed">Some detail was left out of this release\'s status to keep it within ' +
        "Durable Functions' 16 KB custom status limit.</p>",
    );
  }
  return parts.join('\n');
}

/**
 * The problems that made the bundle invalid: all of them when getRelease read the stored list, otherwise
 * the first few the status carries, with how many are missing.
 */
function renderDiagnostics(release: ReleaseView): string {
  const diagnostics = release.diagnostics;
  if (!diagnostics) return '';
  const missing = diagnostics.count - diagnostics.items.length;
  return [
    '<section class="diagnostics">',
    `<h2>Problems in the bundle (${diagnostics.count})</h2>`,
    `<ol>${diagnostics.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ol>`,
    missing > 0
      ? `<p class="note">… and ${missing} more: the full list could not be read from release storage.</p>`
      : '',
    '</section>',
  ].join('\n');
}

function renderStageBox(stage: StageView, now: Date): string {
  const { tone } = describeState(stage.state);
  const what: string[] = [];
  const approval = stage.approval;
  switch (stage.state) {
    case 'waiting':
      if (stage.approvalUrl) {
        what.push(`<a class="action" href="${escapeHtml(stage.approvalUrl)}">Approve or reject</a>`);
      }
      if (approval?.expiresAt) what.push(`link expires ${escapeHtml(formatExpiry(approval.expiresAt, now))}`);
      what.push(...approvalPolicyNotes(approval, true));
      break;
    case 'rejected':
      what.push(`by <strong>${escapeHtml(approval?.approver ?? 'unknown')}</strong>`);
      if (approval?.comment) what.push(`<q class="comment">${escapeHtml(approval.comment)}</q>`);
      break;
    case 'failed':
    case 'rolledBack':
    case 'expired':
    case 'superseded':
      if (stage.message) what.push(`<span class="message">${escapeHtml(stage.message)}</span>`);
      break;
    case 'planning':
    case 'deploying': {
      // Since this phase began: a deploy that started after a long approval reads as seconds, not minutes.
      const since = currentPhase(stage)?.startedAt ?? stage.startedAt;
      if (since) what.push(`for ${escapeHtml(formatDuration(now.getTime() - Date.parse(since)))}`);
      break;
    }
  }
  const held = policyHold(stage, now);
  if (held) what.push(held);
  if (approval?.decision === 'approve' && approval.approver) {
    what.push(`approved by <strong>${escapeHtml(approval.approver)}</strong>`);
  }
  if (['succeeded', 'failed', 'rolledBack'].includes(stage.state) && stage.startedAt && stage.finishedAt) {
    const split = describeStageTime(stage, now);
    what.push(
      `took ${escapeHtml(formatDuration(Date.parse(stage.finishedAt) - Date.parse(stage.startedAt)))}` +
        (split ? `: ${escapeHtml(split)}` : ''),
    );
  }
  return (
    `<li class="stage stage-${tone}" data-environment="${escapeHtml(stage.environment)}">` +
    `<span class="env">${escapeHtml(displayName(stage.environment))}</span>${stateBadge(stage.state)}` +
    what.map((w) => `<span class="what">${w}</span>`).join('') +
    '</li>'
  );
}

function renderRelease(release: ReleaseView, now: Date, azureReposOrganizationUrl?: string): string {
  const source = release.source;
  const rows: Array<[string, string]> = [];
  if (source) {
    rows.push(['Source', escapeHtml(sourceLabel(source.kind))]);
    if (source.repository) rows.push(['Repository', escapeHtml(source.repository)]);
    if (source.ref) rows.push(['Ref', `<code>${escapeHtml(source.ref)}</code>`]);
    if (source.commit) rows.push(['Commit', renderCommit(source, azureReposOrganizationUrl)]);
    rows.push(['Requested by', escapeHtml(source.requestedBy ?? 'unknown')]);
  }
  if (release.bundleId) {
    // A sha256 is 64 characters: the full value stays in the tooltip for whoever compares it.
    rows.push([
      'Bundle',
      `<code title="${escapeHtml(release.bundleId)}">${escapeHtml(release.bundleId.slice(0, 12))}…</code>`,
    ]);
  }
  const started = release.startedAt ?? release.createdTime;
  rows.push(['Started', escapeHtml(formatUtc(started))]);
  rows.push(...timing(toIso(started), release.finishedAt, now));
  rows.push([
    'Orchestration',
    `${escapeHtml(release.runtimeStatus)} · updated ${escapeHtml(formatUtc(release.lastUpdatedTime))}`,
  ]);
  return `<div class="card"><dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl></div>`;
}

function renderStageDetail(
  stage: StageView,
  plan: DeployPlan | undefined,
  now: Date,
  rollbacks: readonly RollbackLinkOffer[] = [],
): string {
  const rows: Array<[string, string]> = [];
  if (stage.startedAt) {
    rows.push(['Started', escapeHtml(formatUtc(stage.startedAt))]);
    rows.push(...timing(stage.startedAt, stage.finishedAt, now));
  }
  const split = describeStageTime(stage, now);
  if (split) rows.push(['Time', escapeHtml(split)]);
  const approval = stage.approval;
  if (approval?.decision) {
    const verb = approval.decision === 'approve' ? 'Approved' : 'Rejected';
    const at = approval.decidedAt ? ` at ${escapeHtml(formatUtc(approval.decidedAt))}` : '';
    rows.push(['Approval', `${verb} by <strong>${escapeHtml(approval.approver ?? 'unknown')}</strong>${at}`]);
    if (approval.comment) rows.push(['Comment', `<q class="comment">${escapeHtml(approval.comment)}</q>`]);
  } else if (stage.state === 'waiting') {
    const link = stage.approvalUrl
      ? `<a class="action" href="${escapeHtml(stage.approvalUrl)}">Approve or reject</a>`
      : 'no approval link: signing keys are not configured';
    rows.push(['Approval', [link, ...approvalPolicyNotes(approval, true)].join(' · ')]);
    if (approval?.expiresAt) {
      rows.push(['Link expires', escapeHtml(formatExpiry(approval.expiresAt, now))]);
    }
  }
  rows.push(...policyRows(stage.policies, now));
  rows.push(...planRows(stage));
  if (stage.outcome) rows.push(['Outcome', escapeHtml(describeOutcome(stage))]);
  for (const notice of stage.notices ?? []) rows.push(['Note', escapeHtml(notice)]);
  rows.push(...checkRows(stage.checks, now));
  if (stage.message && stage.state !== 'rejected') {
    rows.push(['Message', `<span class="message">${escapeHtml(stage.message)}</span>`]);
  }
  // A permanent failure says what fixes it: the command to run or the setting to change.
  if (stage.fix) rows.push(['Fix', `<code class="fix">${escapeHtml(stage.fix)}</code>`]);
  const details = rows.length
    ? `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl>`
    : '';
  return [
    `<section class="stage-detail" id="stage-${escapeHtml(stage.environment)}">`,
    `<h3>${escapeHtml(displayName(stage.environment))} ${stateBadge(stage.state)}</h3>`,
    details,
    renderTargets(stage.targets, now, rollbacks),
    renderPlan(stage, plan),
    '</section>',
  ].join('\n');
}

/**
 * The stage's step counts, matched against its plan. The apply counts one step per plan item, plus the
 * lifecycle wave's one per cluster this deploy created or edited (planning/waves.ts: it acts on those
 * clusters, not on plan steps), so "16 done" beside a plan of 13 items says what the 3 others were.
 */
function describeOutcome(stage: StageView): string {
  const o = stage.outcome;
  if (!o) return '';
  const counts = `${o.done} done · ${o.failed} failed · ${o.skipped} skipped`;
  if (!stage.plan) return counts;
  const plan = stage.plan;
  const planned = RESOURCE_KINDS.map((kind) => countsOf(plan, kind)).reduce(
    (n, c) => n + c.create + c.update + c.unchanged + c.delete + (c.adopt ?? 0),
    0,
  );
  const beyond = o.done + o.failed + o.skipped - planned;
  const items = `${planned} plan item${planned === 1 ? '' : 's'}`;
  return beyond > 0
    ? `${counts} (${items}, and the lifecycle step of ${beyond} cluster${beyond === 1 ? '' : 's'} this deploy created or edited: clusterLifecycle in bricklane.json)`
    : `${counts} (${items})`;
}

/**
 * Which plan was approved and which was applied (StoredPlan ids): the same plan, or why not: the workspace
 * moved between the plan and its apply, nothing was written to what moved, and the stage planned again.
 */
function planRows(stage: StageView): Array<[string, string]> {
  const plans = stage.plans;
  if (!plans) return [];
  const id = (planId: string): string => `<code class="plan-id">${escapeHtml(planId)}</code>`;
  const rows: Array<[string, string]> = [];
  if (plans.approved !== undefined) rows.push(['Approved plan', id(plans.approved)]);
  if (plans.applied !== undefined) {
    const same =
      plans.approved === undefined
        ? ' (no approval needed)'
        : plans.applied === plans.approved
          ? ' (the approved plan)'
          : '';
    rows.push(['Applied plan', `${id(plans.applied)}${same}`]);
  } else if (plans.approved !== undefined && plans.planned !== plans.approved) {
    rows.push(['Applied plan', `none yet: the workspace moved, so ${id(plans.planned)} was planned again`]);
  }
  const drift = stage.drift ?? [];
  if (drift.length > 0) {
    const items = drift.map(
      (d) => `<li><code>${escapeHtml(d.key)}</code>: was ${escapeHtml(d.was)}, now ${escapeHtml(d.now)}</li>`,
    );
    rows.push([
      `Planned again (${plans.replans}×)`,
      `<ul class="drift">${items.join('')}</ul>nothing was written to what moved`,
    ]);
  }
  return rows;
}

function renderPlan(stage: StageView, plan: DeployPlan | undefined): string {
  const summary = plan?.summary ?? stage.plan;
  if (!summary) {
    const why = stage.state === 'pending' || stage.state === 'planning' ? 'not planned yet' : 'no plan';
    return `<p class="note">Plan: ${why}.</p>`;
  }
  // Counts say what happened once the stage succeeded, and what will happen before.
  const done = stage.state === 'succeeded';
  const kinds = RESOURCE_KINDS.map((kind) => renderKind(kind, countsOf(summary, kind), plan, done)).filter(
    Boolean,
  );
  const parts = [`<h4>Plan${done ? ' (applied)' : ''}</h4>`];
  parts.push(
    kinds.length > 0 ? kinds.join('\n') : '<p class="note">The bundle has nothing for this environment.</p>',
  );
  if (!plan) parts.push('<p class="note">Counts only: the detailed plan could not be read.</p>');
  return parts.join('\n');
}

function renderKind(kind: ResourceKind, c: Counts, plan: DeployPlan | undefined, done: boolean): string {
  const steps = (plan?.steps ?? [])
    .filter((s) => s.kind === kind)
    .sort((a, b) => ACTION_ORDER[a.action] - ACTION_ORDER[b.action] || a.target.localeCompare(b.target));
  if (c.create + c.update + c.unchanged + c.delete + c.drift === 0 && steps.length === 0) return '';
  const chip = (cls: string, n: number, label: string): string =>
    `<span class="chip ${n === 0 ? 'zero' : cls}" data-count="${cls}">${n} ${label}</span>`;
  const chips = [
    chip('create', c.create, done ? 'created' : 'to create'),
    chip('update', c.update, done ? 'updated' : 'to update'),
    chip('unchanged', c.unchanged, 'unchanged'),
    chip('delete', c.delete, done ? 'deleted' : 'to delete'),
    chip('drift', c.drift, 'drift'),
  ].join('');
  const head = `<span class="kind-name">${escapeHtml(KIND_LABELS[kind])}</span><span class="chips">${chips}</span>`;
  if (steps.length === 0) return `<div class="kind" data-kind="${kind}">${head}</div>`;
  const items = steps.slice(0, MAX_ITEMS_PER_KIND).map(renderStep);
  if (steps.length > MAX_ITEMS_PER_KIND) {
    items.push(`<li class="note">… and ${steps.length - MAX_ITEMS_PER_KIND} more</li>`);
  }
  return `<details class="kind" data-kind="${kind}"><summary>${head}</summary><ul class="steps">${items.join('')}</ul></details>`;
}

function renderStep(step: PlanStep): string {
  const lines = [
    `<span class="badge ${escapeHtml(step.action)}">${escapeHtml(step.action)}</span>` +
      `<code>${escapeHtml(step.target)}</code>` +
      (step.reason ? `<span class="sub">${escapeHtml(step.reason)}</span>` : ''),
  ];
  const diff = renderFieldDiff(step);
  if (diff) lines.push(diff);
  // Plans stored before field diffs name the changed fields only.
  else if (step.changes && step.changes.length > 0) {
    lines.push(
      `<div class="sub">changes: ${step.changes.map((c) => `<code>${escapeHtml(c)}</code>`).join(', ')}</div>`,
    );
  }
  if (step.drift) lines.push(`<div class="drift">drift: ${escapeHtml(step.drift)}</div>`);
  return `<li>${lines.join('')}</li>`;
}

/** Finished and Duration rows; while it runs, the time so far. */
function timing(startedAt: string, finishedAt: string | undefined, now: Date): Array<[string, string]> {
  if (finishedAt) {
    return [
      ['Finished', escapeHtml(formatUtc(finishedAt))],
      ['Duration', escapeHtml(formatDuration(Date.parse(finishedAt) - Date.parse(startedAt)))],
    ];
  }
  return [['Duration', `${escapeHtml(formatDuration(now.getTime() - Date.parse(startedAt)))} so far`]];
}

function toIso(time: Date | string): string {
  return typeof time === 'string' ? time : time.toISOString();
}

/** "2026-11-27 10:00:00 UTC (in 2 d 3 h)": approvers are in several time zones. */
function formatExpiry(expiresAt: string, now: Date): string {
  const left = Date.parse(expiresAt) - now.getTime();
  return `${formatUtc(expiresAt)} (${left > 0 ? `in ${formatDuration(left)}` : 'expired'})`;
}
