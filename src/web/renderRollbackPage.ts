// Pure: the manual rollback's pages (functions/rollbackLink.ts). On a failed release's status page, the offer:
// the environment's last known good bundle can be put back, through a signed link. Behind the link, the
// confirmation page: which environment, which bundle and release it restores, which it replaces, what changes,
// and one button that posts back to the page's own URL. Opening the page changes nothing (mail scanners and
// chat unfurlers open links); only the POST starts the rollback. No script: the pages' CSP forbids it.
import { displayName } from '../config/loadSettings';
import { RESOURCE_KINDS } from '../manifest/Bundle';
import type { KnownGood } from '../planning/Ledger';
import { countsOf } from '../release/compactStatus';
import type { PlanCounts } from '../release/ReleaseStatus';
import type { ApproverResolution } from '../approvals/resolveApprover';
import { renderDocument } from './document';
import { formatUtc } from './format';
import { escapeHtml } from './html';

/** The offer on a failed release's status page. */
export interface RollbackLinkOffer {
  /** The environment, or a ring's target by its key (`prod.weu`). */
  environment: string;
  knownGood: KnownGood;
  /** The signed confirmation page (approvalToken.ts, rollbackUrl). */
  url: string;
  /** For a ring's target: its ring and its workspace. */
  workspace?: RingWorkspace;
}

/** One workspace of a ring (BRICKLANE_<ENV>_TARGETS), which a rollback link restores alone. */
export interface RingWorkspace {
  /** The ring's environment (`prod`). */
  ring: string;
  /** The target's Databricks workspace name. */
  name: string;
}

/**
 * The offers on a failed release's status page: one environment's card, or for a ring one card that lists each
 * workspace's link (each target's row in the stage's table carries its own as well, renderTargets).
 */
export function renderRollbackOffers(offers: readonly RollbackLinkOffer[]): string {
  const [first] = offers;
  if (!first) return '';
  const ring = first.workspace?.ring;
  if (ring === undefined) return offers.map(renderRollbackOffer).join('\n');
  const env = displayName(ring);
  const items = offers.map(
    (offer) =>
      `<li><a class="action" href="${escapeHtml(offer.url)}">Roll back ${code(offer.environment)}…</a> to ` +
      `bundle ${code(offer.knownGood.bundleId)} (release ${code(offer.knownGood.releaseId)}, passed ` +
      `${escapeHtml(formatUtc(offer.knownGood.at))})</li>`,
  );
  return [
    '<section class="card rollback">',
    `<h2>Roll back workspaces of ${escapeHtml(env)}</h2>`,
    `<p>${escapeHtml(env)} failed in this release. Each workspace below applied it and can be put back to its own ` +
      'last known good, one at a time. The next page says what changes; nothing happens until you confirm there.</p>',
    `<ul>${items.join('')}</ul>`,
    '</section>',
  ].join('\n');
}

export function renderRollbackOffer(offer: RollbackLinkOffer): string {
  const env = displayName(offer.environment);
  return [
    '<section class="card rollback">',
    `<h2>Roll back ${escapeHtml(env)}</h2>`,
    `<p>${escapeHtml(env)} failed in this release. Its last known good bundle ${code(offer.knownGood.bundleId)} ` +
      `(release ${code(offer.knownGood.releaseId)}, passed ${escapeHtml(formatUtc(offer.knownGood.at))}) can be ` +
      'put back. The next page says what changes; nothing happens until you confirm there.</p>',
    `<p><a class="action" href="${escapeHtml(offer.url)}">Roll back ${escapeHtml(env)}…</a></p>`,
    '</section>',
  ].join('\n');
}

export interface RollbackPageModel {
  environment: string;
  failed: {
    releaseId: string;
    bundleId: string;
    /** The failed stage's message (secret-free, as the status shows it). */
    message?: string;
    /** The failed stage's plan counts. */
    plan?: PlanCounts;
  };
  knownGood: KnownGood;
  /** For a ring's target (`environment` is its key): its ring and its workspace, the only one restored. */
  workspace?: RingWorkspace;
  approvers: readonly string[];
  viewer: ApproverResolution;
  /** The page's own path: the form posts back to it. */
  formAction: string;
  signInUrl?: string;
  /** The failed release's status page (a signed view link), when links can be signed. */
  statusUrl?: string;
}

export function renderRollbackPage(model: RollbackPageModel): string {
  const ring = model.workspace;
  const env = ring
    ? `${displayName(ring.ring)} workspace ${model.environment}`
    : displayName(model.environment);
  const rows: Array<[string, string]> = [
    ['Environment', escapeHtml(ring ? displayName(ring.ring) : env)],
    ...(ring
      ? ([
          [
            'Workspace',
            `${code(model.environment)} (${code(ring.name)}), the only one of the ring this restores`,
          ],
        ] as Array<[string, string]>)
      : []),
    [
      'Restores',
      `bundle ${code(model.knownGood.bundleId)} of release ${code(model.knownGood.releaseId)}, which passed ` +
        `here ${escapeHtml(formatUtc(model.knownGood.at))}`,
    ],
    ['Replaces', `bundle ${code(model.failed.bundleId)} of release ${code(model.failed.releaseId)}`],
  ];
  if (model.failed.message) rows.push(['Failure', escapeHtml(model.failed.message)]);
  rows.push([
    'May confirm',
    model.approvers.length > 0
      ? model.approvers.map(code).join(', ')
      : `anyone who holds this link (no approvers are listed for ${escapeHtml(env)})`,
  ]);
  const planned = describePlanned(model.failed.plan);
  // The failed bundle's prune option is not read here: the page says both outcomes.
  const changes = [
    `Every object the failed release wrote in ${escapeHtml(env)}${planned ? ` (its plan: ${escapeHtml(planned)})` : ''} goes back to what bundle ${code(model.knownGood.bundleId)} holds.`,
    'Objects only the failed bundle has are removed when that bundle turns prune on; otherwise they stay in place, and the release names them.',
    `A new release does it, in ${escapeHtml(env)} only: planned, applied and checked like any release, with no approval (the bundle deployed and passed here before). It ends “rolled back”, and the environment's channel is told.`,
  ];
  const body = [
    '<p class="eyebrow">bricklane · rollback</p>',
    `<h1>Roll back ${escapeHtml(env)}?</h1>`,
    `<div class="card"><dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl></div>`,
    '<h2>What changes</h2>',
    `<ul>${changes.map((c) => `<li>${c}</li>`).join('')}</ul>`,
    renderForm(model, env),
    model.statusUrl ? `<p class="links"><a href="${escapeHtml(model.statusUrl)}">Release status</a></p>` : '',
  ].join('\n');
  return renderDocument(`Roll back ${env}`, body, 'warn');
}

function renderForm(model: RollbackPageModel, env: string): string {
  const viewer = model.viewer;
  const signIn =
    !viewer.ok && viewer.reason === 'signInRequired' && model.signInUrl
      ? ` <a href="${escapeHtml(model.signInUrl)}">Sign in</a>`
      : '';
  const who = !viewer.ok
    ? `<p class="notice">${escapeHtml(viewer.message)}${signIn}</p>`
    : `<p>The rollback is recorded as started by <strong>${escapeHtml(viewer.approver)}</strong>${viewer.authenticated ? '' : ' (not signed in)'}.</p>`;
  return [
    who,
    `<form method="post" action="${escapeHtml(model.formAction)}">`,
    '<div class="buttons">',
    `<button type="submit" name="confirm" value="rollback" class="reject"${viewer.ok ? '' : ' disabled'}>Roll back ${escapeHtml(env)}</button>`,
    '</div>',
    '</form>',
    '<p class="note">Opening this page changes nothing. One rollback starts however often the button is pressed.</p>',
  ].join('\n');
}

/** `2 to create, 1 to update` over every kind of a stage's plan counts; undefined when it planned no change. */
export function describePlanned(plan: PlanCounts | undefined): string | undefined {
  const totals = { create: 0, update: 0, delete: 0 };
  for (const kind of RESOURCE_KINDS) {
    const c = countsOf(plan, kind);
    totals.create += c.create;
    totals.update += c.update + (c.adopt ?? 0);
    totals.delete += c.delete;
  }
  const words = Object.entries(totals)
    .filter(([, n]) => n > 0)
    .map(([action, n]) => `${n} to ${action}`);
  return words.length > 0 ? words.join(', ') : undefined;
}

function code(value: string): string {
  return `<code>${escapeHtml(value)}</code>`;
}
