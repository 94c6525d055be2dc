// Pure: the approval page: what release, who asked, what will change in the environment, and a plain
// HTML form (no script) that posts the decision back to the page's own URL.
import { describeState, formatUtc, KIND_LABELS, MAX_ITEMS_PER_KIND } from './format';
import type { PlanCounts, ReleaseStatus, StageStatus } from '../release/ReleaseStatus';
import { MAX_COMMENT_LENGTH } from '../approvals/parseDecisionRequest';
import type { ApproverResolution } from '../approvals/resolveApprover';
import { displayName } from '../config/loadSettings';
import type { EnvironmentSettings } from '../config/Settings';
import { RESOURCE_KINDS } from '../manifest/Bundle';
import type { StageCodeDiff } from '../planning/CodeDiff';
import type { DeployPlan, PlanStep } from '../planning/DeployPlan';
import { countsOf } from '../release/compactStatus';
import { escapeHtml } from './html';
import { type ApprovalPolicyState, decisionNote, renderApprovalPolicy } from './renderApprovalPolicy';
import { renderDocument } from './document';
import { renderTargetPlans, type TargetPlan } from './renderTargets';
import { renderCodeDiff } from './renderCodeDiff';
import { renderDeployPolicies } from './renderPolicies';
import { renderFieldDiff, renderSafetySummary } from './renderSafetySummary';

export interface ApprovalPageModel {
  release: Pick<ReleaseStatus, 'releaseId' | 'bundleId' | 'source'>;
  stage: StageStatus;
  /** The stored full plan; without it the page shows the counts from the release status. */
  plan: DeployPlan | undefined;
  linkExpiresAt: Date;
  now: Date;
  /** The page's own path: the form posts back to it. */
  formAction: string;
  /** Who the viewer would be recorded as, or why they may not decide. */
  viewer: ApproverResolution;
  /** Where to sign in when the environment needs a named approver. */
  signInUrl?: string;
  /** The release's status page: a signed view link expiring with this approval link (never the function key). */
  statusUrl?: string;
  /** Where the stage deploys (the environment's settings); absent, the page says nothing about where. */
  target?: ApprovalTarget;
  /** Who may decide (the environment's allow-list); empty: anyone holding the link. */
  approvers?: readonly string[];
  /** Quorum and self-approval (renderApprovalPolicy.ts); absent, the page says nothing about them. */
  policy?: ApprovalPolicyState;
  /** The stage before this one in the release, whose outcome the approver judges by. */
  previousStage?: StageStatus;
  /** The stored code diff of the stage's notebooks, files and init scripts (absent: not shown). */
  codeDiff?: StageCodeDiff;
}

/** A ring's targets (BRICKLANE_<ENV>_TARGETS): each target's stored plan, canary first (renderTargets.ts). */
export interface ApprovalPageRing {
  targetPlans?: readonly TargetPlan[];
}

export type ApprovalTarget = Pick<
  EnvironmentSettings,
  'databricksAuth' | 'subscriptionId' | 'resourceGroup' | 'workspaceName' | 'keyVaultName' | 'workspaceUrl'
>;

export function renderApprovalPage(model: ApprovalPageModel & ApprovalPageRing): string {
  const env = model.stage.environment;
  const title = `Deploy to ${displayName(env)}?`;
  const body = [
    '<p class="eyebrow">bricklane · approval</p>',
    `<h1>${escapeHtml(title)}</h1>`,
    renderRelease(model),
    renderWhere(model.target, model.plan),
    renderWho(model.approvers),
    renderDeployPolicies(model.stage.policies, model.now),
    renderApprovalPolicy(model.policy),
    // What matters for safety comes first: a long list must not hide a run_as or an IS_OWNER grant.
    // A ring's plans differ only by what each workspace holds: the canary's stands for the bundle's safety.
    renderSafetySummary(model.plan ?? model.targetPlans?.find((t) => !t.deployed)?.plan),
    renderWarnings(model.plan),
    '<h2>What will change</h2>',
    renderPlan(model.plan, model.stage.plan),
    renderTargetPlans(model.targetPlans ?? []),
    renderCodeDiff(model.codeDiff),
    '<h2>Decision</h2>',
    renderForm(model),
  ].join('\n');
  return renderDocument(title, body);
}

/** What the plan already knows will fail (a runtime or node type the workspace does not offer). */
function renderWarnings(plan: DeployPlan | undefined): string {
  const warnings = plan?.warnings ?? [];
  if (warnings.length === 0) return '';
  const items = warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('');
  return `<section class="notice" id="warnings"><h2>Warnings</h2><ul>${items}</ul></section>`;
}

function renderRelease(model: ApprovalPageModel): string {
  const { release, stage } = model;
  const source = release.source;
  const rows: Array<[string, string]> = [
    ['Release', code(release.releaseId)],
    ['Environment', `${escapeHtml(displayName(stage.environment))} ${code(stage.environment)}`],
  ];
  if (source.repository) rows.push(['Repository', escapeHtml(source.repository)]);
  if (source.ref) rows.push(['Ref', code(source.ref)]);
  if (source.commit) rows.push(['Commit', code(source.commit)]);
  rows.push(['Requested by', escapeHtml(source.requestedBy ?? 'unknown')]);
  rows.push(['Source', escapeHtml(SOURCE_LABELS[source.kind] ?? source.kind)]);
  // A sha256 is 64 characters: the full value stays in the tooltip for whoever compares it.
  rows.push([
    'Bundle',
    `<code title="${escapeHtml(release.bundleId)}">${escapeHtml(release.bundleId.slice(0, 12))}…</code>`,
  ]);
  rows.push(['Link expires', escapeHtml(formatExpiry(model.linkExpiresAt, model.now))]);
  if (model.previousStage) rows.push(['Previous stage', describeStage(model.previousStage)]);
  if (model.statusUrl) rows.push(['Status', `<a href="${escapeHtml(model.statusUrl)}">Release status</a>`]);
  return `<div class="card"><dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl></div>`;
}

/** "QA (qa): Succeeded, 2026-11-25 08:10:00 UTC": the stage's outcome, and when it ended. */
function describeStage(stage: StageStatus): string {
  const when = stage.finishedAt ? `, ${formatUtc(stage.finishedAt)}` : '';
  const note = stage.message ? ` (${stage.message})` : '';
  return escapeHtml(
    `${displayName(stage.environment)} (${stage.environment}): ${describeState(stage.state).label}${when}${note}`,
  );
}

/**
 * Where approving deploys: the subscription, resource group and workspace, and what Azure resources the
 * deploy creates. The plan says whether the workspace existed when it looked (planEnvironment); the deploy
 * then creates the workspace, and the resource group and Key Vault where they are missing
 * (azure/provisionEnvironment.ts). A token-mode environment names a workspace and creates nothing in Azure.
 */
function renderWhere(target: ApprovalTarget | undefined, plan: DeployPlan | undefined): string {
  if (!target) return '';
  const rows: Array<[string, string]> = [];
  const seen = plan?.workspace;
  if (target.databricksAuth === 'token') {
    const url = target.workspaceUrl ?? seen?.url;
    rows.push(['Workspace URL', url ? link(url) : 'not configured']);
    rows.push(['Azure resources created', 'none (a fixed workspace, reached with a token)']);
  } else {
    rows.push(['Subscription', code(target.subscriptionId)]);
    rows.push(['Resource group', code(target.resourceGroup)]);
    const created = seen?.exists === false;
    rows.push([
      'Workspace',
      code(target.workspaceName) +
        (seen?.url
          ? ` ${link(seen.url)}`
          : created
            ? ' <strong>does not exist yet; approving creates it</strong>'
            : ''),
    ]);
    if (target.databricksAuth === 'keyVaultServicePrincipal')
      rows.push(['Key Vault', code(target.keyVaultName)]);
    rows.push([
      'Azure resources created',
      created
        ? escapeHtml(
            `the Databricks workspace ${target.workspaceName}` +
              `, and the resource group ${target.resourceGroup} and Key Vault ${target.keyVaultName} if missing`,
          )
        : seen?.exists
          ? 'none (the workspace exists)'
          : 'unknown (this plan does not say whether the workspace exists)',
    ]);
  }
  return `<h2>Where</h2><div class="card" id="where"><dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl></div>`;
}

/** Who may decide: the allow-list, or, without one, whoever holds the link (said loudly: it is a bearer link). */
function renderWho(approvers: readonly string[] | undefined): string {
  if (!approvers) return '';
  const who =
    approvers.length > 0
      ? `Only ${approvers.map(code).join(', ')} (signed in)`
      : '<strong>anyone holding this link</strong> (no approver list is set for this environment)';
  return `<p id="who">Who may decide: ${who}.</p>`;
}

function link(url: string): string {
  return `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
}

const SOURCE_LABELS: Record<string, string> = {
  upload: 'bundle upload',
  github: 'GitHub push',
  azureRepos: 'Azure Repos push',
  manual: 'manual run',
};

function renderPlan(plan: DeployPlan | undefined, counts: PlanCounts | undefined): string {
  const summary = plan?.summary ?? counts;
  if (!summary) return '<p class="notice">The plan of this environment is not available.</p>';
  const totals = RESOURCE_KINDS.map((k) => countsOf(summary, k)).reduce(
    (t, s) => ({
      create: t.create + s.create,
      update: t.update + s.update,
      delete: t.delete + s.delete,
      drift: t.drift + s.drift,
      adopt: t.adopt + (s.adopt ?? 0),
    }),
    { create: 0, update: 0, delete: 0, drift: 0, adopt: 0 },
  );
  const parts = [
    `<p><strong>${totals.create} to create, ${totals.update} to update, ${totals.delete} to delete` +
      (totals.adopt > 0 ? `, ${totals.adopt} to adopt` : '') +
      '</strong>' +
      (totals.drift > 0 ? `, <span class="drift">${totals.drift} changed outside bricklane</span>` : '') +
      '.</p>',
  ];
  if (!plan)
    parts.push('<p class="note">Only the counts are available; the detailed plan could not be read.</p>');
  for (const kind of RESOURCE_KINDS) {
    if (!summary[kind]) continue;
    const s = countsOf(summary, kind);
    const changed = plan?.steps.filter((step) => step.kind === kind && isNoteworthy(step)) ?? [];
    if (s.create + s.update + s.delete + s.drift + (s.adopt ?? 0) === 0 && changed.length === 0) continue;
    parts.push(`<h3>${escapeHtml(KIND_LABELS[kind])}</h3>`);
    parts.push(
      `<p class="counts">create ${s.create} · update ${s.update} · delete ${s.delete} · drift ${s.drift}` +
        (s.adopt ? ` · adopt ${s.adopt}` : '') +
        ` · unchanged ${s.unchanged}</p>`,
    );
    if (changed.length > 0) {
      const items = changed.slice(0, MAX_ITEMS_PER_KIND).map(renderStep);
      if (changed.length > MAX_ITEMS_PER_KIND) {
        items.push(`<li class="note">… and ${changed.length - MAX_ITEMS_PER_KIND} more</li>`);
      }
      parts.push(`<ul class="steps">${items.join('')}</ul>`);
    }
  }
  if (totals.create + totals.update + totals.delete + totals.drift + totals.adopt === 0) {
    parts.push(
      '<p class="note">Nothing changes in this environment; approving records the release as deployed.</p>',
    );
  }
  return parts.join('\n');
}

function isNoteworthy(step: PlanStep): boolean {
  return step.action !== 'unchanged' || step.drift !== undefined;
}

function renderStep(step: PlanStep): string {
  const lines = [
    `<span class="badge ${escapeHtml(step.action)}">${escapeHtml(step.action)}</span>${code(step.target)}` +
      (step.reason ? `<span class="sub">${escapeHtml(step.reason)}</span>` : ''),
  ];
  const diff = renderFieldDiff(step);
  if (diff) lines.push(diff);
  // Plans stored before field diffs name the changed fields only.
  else if (step.changes && step.changes.length > 0) {
    lines.push(`<div class="sub">changes: ${step.changes.map(code).join(', ')}</div>`);
  }
  if (step.drift) lines.push(`<div class="drift">drift: ${escapeHtml(step.drift)}</div>`);
  return `<li>${lines.join('')}</li>`;
}

function renderForm(model: ApprovalPageModel): string {
  const viewer = model.viewer;
  const parts: string[] = [];
  if (viewer.ok) {
    parts.push(
      viewer.authenticated
        ? `<p>You are signed in as <strong>${escapeHtml(viewer.approver)}</strong>; the decision is recorded under this name.</p>`
        : `<p>You are not signed in; the decision is recorded as <strong>${escapeHtml(viewer.approver)}</strong>.</p>`,
    );
  } else {
    const signIn =
      viewer.reason === 'signInRequired' && model.signInUrl
        ? ` <a href="${escapeHtml(model.signInUrl)}">Sign in</a>`
        : '';
    parts.push(`<p class="notice">${escapeHtml(viewer.message)}${signIn}</p>`);
  }
  const disabled = viewer.ok ? '' : ' disabled';
  parts.push(
    `<form method="post" action="${escapeHtml(model.formAction)}">`,
    '<label for="comment">Comment (optional)</label>',
    `<textarea id="comment" name="comment" rows="3" maxlength="${MAX_COMMENT_LENGTH}"${disabled}></textarea>`,
    '<div class="buttons">',
    `<button type="submit" name="decision" value="approve" class="approve"${disabled}>Approve</button>`,
    `<button type="submit" name="decision" value="reject" class="reject"${disabled}>Reject</button>`,
    '</div>',
    '</form>',
    `<p class="note">${escapeHtml(decisionNote(model.policy))}</p>`,
  );
  return parts.join('\n');
}

function code(value: string): string {
  return `<code>${escapeHtml(value)}</code>`;
}

/** "2026-11-27 10:00 UTC (in 2 d 3 h)": approvers are in several time zones, so UTC plus a relative hint. */
function formatExpiry(expiresAt: Date, now: Date): string {
  const utc = `${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const minutes = Math.floor((expiresAt.getTime() - now.getTime()) / 60_000);
  if (minutes < 1) return `${utc} (expired)`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const relative =
    days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
  return `${utc} (in ${relative})`;
}
