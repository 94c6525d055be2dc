// Pure: the recent releases, newest first: each one's state, its stages at a glance, where it came from,
// when it started, and a link to its status page. Cards rather than a table, so it reads on a phone.
// A release whose durable history was purged says so ("history purged"): its page is its archived record.
import { displayName } from '../config/loadSettings';
import { escapeHtml, renderCommit, stateBadge } from './html';
import { formatDuration, formatUtc, sourceLabel } from './format';
import type { ReleaseView } from '../release/releaseView';
import { statusPageDocument } from './document';

/** A release as the list shows it (GET /api/releases, JSON and page). */
export type ListedRelease = ReleaseView & {
  /** Its durable history was purged: it is shown from the record archived before (functions/purgeHistory). */
  archived?: true;
};

export interface ReleaseListPageModel {
  /** Newest first. */
  releases: readonly ListedRelease[];
  now: Date;
  /**
   * The link to a release's status page: a signed view link, never one carrying the function key (it would
   * land in browser history). Without one the release id is shown as text.
   */
  releaseUrl: (releaseId: string) => string | undefined;
  /** The configured Azure DevOps organization, for links to Azure Repos commits. */
  azureReposOrganizationUrl?: string;
}

const LIVE = new Set(['Pending', 'Running', 'ContinuedAsNew']);
// Slower than a release's own page: the list is an overview, and each reload reads every release.
const REFRESH_IN_SECONDS = 15;

export function renderReleaseListPage(model: ReleaseListPageModel): string {
  const live = model.releases.some((r) => LIVE.has(r.runtimeStatus));
  const items = model.releases.map((r) => renderRelease(r, model));
  const body = [
    '<p class="eyebrow">bricklane · releases</p>',
    '<h1>Releases</h1>',
    live ? `<p class="note">This page refreshes every ${REFRESH_IN_SECONDS} s while a release runs.</p>` : '',
    items.length > 0
      ? `<ul class="releases">${items.join('\n')}</ul>`
      : '<p class="note">No release started in the last 90 days.</p>',
    // No JSON link: it would need the function key. Scripts ask this route with Accept: application/json.
  ].join('\n');
  return statusPageDocument('Releases', body, live ? { refreshInSeconds: REFRESH_IN_SECONDS } : {});
}

function renderRelease(release: ListedRelease, model: ReleaseListPageModel): string {
  const href = model.releaseUrl(release.releaseId);
  const id = `<code>${escapeHtml(release.releaseId)}</code>`;
  const state = release.state ?? release.runtimeStatus.toLowerCase();
  const stages = (release.stages ?? [])
    .map((s) => `<span>${escapeHtml(displayName(s.environment))} ${stateBadge(s.state)}</span>`)
    .join('');
  const source = release.source;
  const from = source
    ? [
        escapeHtml(sourceLabel(source.kind)),
        source.repository ? escapeHtml(source.repository) : '',
        source.ref ? `<code>${escapeHtml(source.ref)}</code>` : '',
        renderCommit(source, model.azureReposOrganizationUrl),
        source.requestedBy ? `by ${escapeHtml(source.requestedBy)}` : '',
      ]
        .filter(Boolean)
        .join(' · ')
    : '';
  const started = release.startedAt ?? release.createdTime;
  const startedMs = typeof started === 'string' ? Date.parse(started) : started.getTime();
  const took = release.finishedAt
    ? `took ${formatDuration(Date.parse(release.finishedAt) - startedMs)}`
    : LIVE.has(release.runtimeStatus)
      ? `running for ${formatDuration(model.now.getTime() - startedMs)}`
      : '';
  const archived = release.archived
    ? ' · <span data-archived="true" title="Its durable history was purged; it is shown from its archived record, and its audit trail is kept.">history purged</span>'
    : '';
  return [
    `<li class="card release" data-release="${escapeHtml(release.releaseId)}">`,
    `<div class="head">${href ? `<a href="${escapeHtml(href)}">${id}</a>` : id}${stateBadge(state)}</div>`,
    stages ? `<div class="stages">${stages}</div>` : '',
    from ? `<div class="meta">${from}</div>` : '',
    `<div class="meta">started ${escapeHtml(formatUtc(started))}${took ? ` · ${escapeHtml(took)}` : ''}${archived}</div>`,
    '</li>',
  ].join('');
}
