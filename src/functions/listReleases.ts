// I/O (HTTP trigger): GET /api/releases — recent releases, newest first (?top=20). JSON by default; the
// HTML list when the caller's Accept prefers text/html (a browser) or `?format=html`; its links to each
// release are signed view links (viewRelease), never links with the function key. A browser without the
// key opens the same page through a signed list view link (releaseListViewUrl.ts, served by viewRelease).
// Releases whose durable history was purged (purgeHistory) are listed from their release records, found
// newest first through the record index (azure/releaseRecord.ts, listReleaseRecords), marked `archived: true`
// ("history purged" on the page); a release with both a record and a history is listed once, from its history.
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ORCHESTRATIONS } from '../activities/contracts';
import { appServices } from '../services/appServices';
import { htmlResponse, prefersHtml } from '../web/responses';
import { renderReleaseListPage } from '../web/renderReleaseListPage';
import { statusViewUrl } from '../approvals/releaseViewUrl';
import { releaseViewOf } from './getRelease';
import { releaseView, type OrchestrationState } from '../release/releaseView';
import { listReleaseRecords } from '../azure/releaseRecord';
import type { ListedRelease } from '../web/renderReleaseListPage';

/** The list covers releases started in the last 90 days, live or archived (the page says so). */
const WINDOW_IN_MS = 90 * 24 * 3_600_000;

export async function listReleases(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const html = prefersHtml(request.headers.get('accept'), request.query.get('format'));
  return answerReleaseList(request, context, { html, approvalLinks: true });
}

/**
 * The recent releases as JSON or as the list page (shared by listReleases and viewRelease, which serves the
 * page to whoever holds a signed list view link). `approvalLinks: false` leaves the waiting stages' approval
 * links out of the JSON, as the JSON behind a release's view link does (getRelease.ts, answerRelease).
 */
export async function answerReleaseList(
  request: HttpRequest,
  context: InvocationContext,
  answer: { html: boolean; approvalLinks: boolean },
): Promise<HttpResponseInit> {
  const top = Math.min(Math.max(Number(request.query.get('top') ?? '20') || 20, 1), 100);
  const since = new Date(Date.now() - WINDOW_IN_MS);
  const all = await df.getClient(context).getStatusBy({ createdTimeFrom: since });
  const live = all.filter((s) => s.name === ORCHESTRATIONS.deployRelease);
  const except = new Set(live.map((s) => s.instanceId));
  // Without its archived releases the list still answers with the live ones (and says so in the log).
  const records = await listReleaseRecords(appServices().releases, { top, since, except }).catch(
    (error: unknown) => {
      context.warn(`listReleases: archived releases unreadable: ${String(error)}`);
      return [];
    },
  );
  const createdMs = (s: OrchestrationState): number => new Date(s.createdTime).getTime();
  const viewOf = (status: OrchestrationState): ListedRelease =>
    answer.approvalLinks ? releaseViewOf(status) : releaseView(status, () => undefined);
  const releases = [
    ...live.map((state) => ({ state, archived: false })),
    ...records.map((state) => ({ state, archived: true })),
  ]
    .sort((a, b) => createdMs(b.state) - createdMs(a.state))
    .slice(0, top)
    .map(({ state, archived }) => (archived ? { ...viewOf(state), archived: true as const } : viewOf(state)));
  // The same URL answers JSON or HTML, so caches must key on Accept.
  const vary = { Vary: 'Accept' };
  if (!answer.html) return { status: 200, jsonBody: { releases }, headers: vary };
  const { settings } = appServices();
  // Each release links to its status page with a signed view link, never with the key this page was opened
  // with (`?code=` in a link lands in browser history and in every page's history after it).
  const page = renderReleaseListPage({
    releases,
    now: new Date(),
    releaseUrl: (releaseId) => statusViewUrl(settings, releaseId),
    azureReposOrganizationUrl: settings.sources.azureRepos.organizationUrl,
  });
  return htmlResponse(200, page, vary);
}

/** Options for `app.http('listReleases', listReleasesOptions)`. The function key guards it (operators and CI). */
export const listReleasesOptions: HttpFunctionOptions = {
  route: 'releases',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: listReleases,
};
